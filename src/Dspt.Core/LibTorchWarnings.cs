using System.Runtime.InteropServices;
using TorchSharp;

namespace Dspt;

/// <summary>
/// TorchSharp's LBFGS constructor asks the native optimizer for its parameters, and LibTorch
/// answers each time with "Warning: Optimizer::parameters() will be removed in PyTorch 1.6" on
/// the process's stderr, through the display and the log. Nothing in Dspt can act on it, so
/// while such a call runs, LibTorch's own log level (c10's FLAGS_caffe2_log_level) is raised to
/// errors only and restored afterwards; every other warning still reaches the user.
/// </summary>
public static class LibTorchWarnings
{
    const int ErrorsOnly = 2; // c10's GLOG_ERROR; warnings are 1

    static readonly Lock Gate = new();

    public static T Suppressed<T>(Func<T> call)
    {
        nint flag = LogLevelFlag();
        if (flag == 0) return call();
        lock (Gate)
        {
            int before = Marshal.ReadInt32(flag);
            Marshal.WriteInt32(flag, Math.Max(before, ErrorsOnly));
            try { return call(); }
            finally { Marshal.WriteInt32(flag, before); }
        }
    }

    /// <summary>The address of c10's log-level flag, 0 where this LibTorch build does not export it.</summary>
    static nint LogLevelFlag()
    {
        torch.InitializeDeviceType(DeviceType.CPU); // loads LibTorch (and c10) if nothing has yet
        return NativeLibrary.TryLoad("c10", typeof(torch).Assembly, null, out var c10)
            && NativeLibrary.TryGetExport(c10, "FLAGS_caffe2_log_level", out var flag) ? flag : 0;
    }
}
