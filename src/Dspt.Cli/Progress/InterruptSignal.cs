using System.Runtime.InteropServices;

namespace Dspt.Cli.Progress;

/// <summary>
/// Turns Ctrl-C (SIGINT) and SIGTERM into a cancellation the trainer checks between steps, so an
/// interrupted run stops at a step boundary with its last complete epoch's checkpoint intact.
/// A second Ctrl-C is left to the default handler (immediate exit; still nothing half-written,
/// every output is written atomically).
/// </summary>
public sealed class InterruptSignal : IDisposable
{
    readonly CancellationTokenSource source = new();
    readonly PosixSignalRegistration sigint;
    readonly PosixSignalRegistration sigterm;

    public InterruptSignal()
    {
        sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Handle);
        sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Handle);
    }

    public CancellationToken Token => source.Token;

    void Handle(PosixSignalContext context)
    {
        if (source.IsCancellationRequested) return;
        context.Cancel = true;
        source.Cancel();
    }

    public void Dispose()
    {
        sigint.Dispose();
        sigterm.Dispose();
        source.Dispose();
    }
}
