using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;
using Dspt.IO;

namespace Dspt.Runs;

/// <summary>
/// The one writer of a run folder, held for the life of a run: <c>run.lock</c> locked with
/// flock(2) (an exclusive open on Windows; released by the kernel when the process ends, also on
/// kill -9), and <c>run.owner</c> naming the holder (pid, host, process start time). Where the
/// file system has no flock, the owner record alone decides: a live process on this host, or any
/// process on another host, keeps the folder; a dead one on this host left a stale lock, which is
/// recovered with a message. On acquiring, leftover temporary files of <see cref="AtomicFile"/>
/// in the folder are removed (no live writer can own them while the lock is held).
/// </summary>
public sealed partial class RunLock : IDisposable
{
    public const string LockFile = "run.lock";
    public const string OwnerFile = "run.owner";

    readonly FileStream handle;
    readonly string ownerPath;
    bool disposed;

    RunLock(FileStream handle, string ownerPath)
    {
        this.handle = handle;
        this.ownerPath = ownerPath;
    }

    /// <summary>Who holds a run folder: what run.owner records.</summary>
    public sealed record Owner(int Pid, string Host, DateTime ProcessStartUtc, DateTime AcquiredUtc)
    {
        public override string ToString() => string.Create(CultureInfo.InvariantCulture,
            $"pid {Pid} on {Host}, holding it since {AcquiredUtc:yyyy-MM-dd HH:mm:ss} UTC");

        public static Owner Current()
        {
            using var self = Process.GetCurrentProcess();
            return new(Environment.ProcessId, Environment.MachineName, self.StartTime.ToUniversalTime(), DateTime.UtcNow);
        }

        /// <summary>Whether this record's process is still running (on this host; another host's is assumed alive).</summary>
        public bool IsAlive()
        {
            if (Host != Environment.MachineName) return true;
            try
            {
                using var process = Process.GetProcessById(Pid);
                if (process.HasExited) return false;
                // A reused pid belongs to a process started at another time.
                return Math.Abs((process.StartTime.ToUniversalTime() - ProcessStartUtc).TotalSeconds) < 2;
            }
            catch (ArgumentException) { return false; }
            catch (InvalidOperationException) { return false; }
        }
    }

    /// <summary>Takes the folder (which must exist) or throws <see cref="InvalidInputException"/> naming it and its owner.</summary>
    public static RunLock Acquire(string folder, Action<string>? log = null) =>
        TryAcquire(folder, out var owner, log) ?? throw Refused(folder, owner);

    /// <summary>Takes the folder, or returns null with the live <paramref name="owner"/> (null when unknown).</summary>
    public static RunLock? TryAcquire(string folder, out Owner? owner, Action<string>? log = null) =>
        TryAcquire(folder, out owner, log, useKernelLock: true);

    internal static RunLock? TryAcquire(string folder, out Owner? owner, Action<string>? log, bool useKernelLock)
    {
        string dir = Path.GetFullPath(folder);
        if (!Directory.Exists(dir)) throw new InvalidInputException($"{dir}: run folder does not exist");
        string lockPath = Path.Combine(dir, LockFile), ownerPath = Path.Combine(dir, OwnerFile);
        FileStream stream;
        try
        {
            // FileShare.None: on Unix .NET takes flock(LOCK_EX | LOCK_NB) here, on Windows an exclusive share mode.
            stream = new FileStream(lockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, useKernelLock ? FileShare.None : FileShare.ReadWrite);
        }
        catch (IOException) when (File.Exists(lockPath))
        {
            owner = ReadOwner(ownerPath);
            return null;
        }
        catch (UnauthorizedAccessException e)
        {
            throw new InvalidInputException($"{lockPath}: cannot create the run folder's lock file ({e.Message})", e);
        }
        bool kernelLocked = false;
        if (useKernelLock)
        {
            // Also when DOTNET_SYSTEM_IO_DISABLEFILELOCKING turned .NET's own flock off.
            switch (KernelLock(stream))
            {
                case LockResult.Held: stream.Dispose(); owner = ReadOwner(ownerPath); return null;
                case LockResult.Locked: kernelLocked = true; break;
                case LockResult.Unsupported: break;
            }
        }
        var previous = ReadOwner(ownerPath);
        if (previous is not null && !kernelLocked && previous.IsAlive())
        {
            stream.Dispose();
            owner = previous;
            return null;
        }
        if (previous is not null)
            log?.Invoke($"{dir}: recovered a stale lock left by {previous} (no longer running)");
        AtomicFile.WriteAllText(ownerPath, JsonSerializer.Serialize(Owner.Current(), RunManifest.Json) + "\n");
        int removed = RemoveTemporaryFiles(dir);
        if (removed > 0)
            log?.Invoke($"{dir}: removed {removed} temporary file{(removed > 1 ? "s" : "")} left by an interrupted writer");
        owner = null;
        return new RunLock(stream, ownerPath);
    }

    static InvalidInputException Refused(string folder, Owner? owner) => new(
        $"{Path.GetFullPath(folder)}: the run folder is in use by another dspt process ({owner?.ToString() ?? "owner unknown"}); " +
        $"wait for it to finish or stop it, or choose another folder. If no such process is running, delete {Path.Combine(Path.GetFullPath(folder), OwnerFile)}.");

    /// <summary>AtomicFile's temporaries (".NAME.PID.GUID.tmp"), which only a live writer of this folder could still be writing.</summary>
    static int RemoveTemporaryFiles(string dir)
    {
        int removed = 0;
        foreach (var tmp in Directory.EnumerateFiles(dir, ".*.tmp"))
        {
            if (Path.GetFileName(tmp).StartsWith($".{OwnerFile}.", StringComparison.Ordinal)) continue;
            try { File.Delete(tmp); removed++; } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
        return removed;
    }

    static Owner? ReadOwner(string path)
    {
        try
        {
            return File.Exists(path) ? JsonSerializer.Deserialize<Owner>(File.ReadAllText(path), RunManifest.Json) : null;
        }
        catch (Exception e) when (e is JsonException or IOException or NotSupportedException or ArgumentException)
        {
            // An unreadable record is no evidence of a live owner; the kernel lock still decides.
            return null;
        }
    }

    enum LockResult { Locked, Held, Unsupported }

    static LockResult KernelLock(FileStream stream)
    {
        if (OperatingSystem.IsWindows()) return LockResult.Locked;   // the exclusive share mode is the lock
        const int LOCK_EX = 2, LOCK_NB = 4;
        int fd = (int)stream.SafeFileHandle.DangerousGetHandle();
        if (flock(fd, LOCK_EX | LOCK_NB) == 0) return LockResult.Locked;
        int errno = Marshal.GetLastPInvokeError();
        const int EWOULDBLOCK_LINUX = 11, EWOULDBLOCK_BSD = 35;
        return errno == (OperatingSystem.IsLinux() ? EWOULDBLOCK_LINUX : EWOULDBLOCK_BSD) ? LockResult.Held : LockResult.Unsupported;
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial int flock(int fd, int operation);

    /// <summary>Removes run.owner, then releases the lock.</summary>
    public void Dispose()
    {
        if (disposed) return;
        disposed = true;
        try { File.Delete(ownerPath); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        handle.Dispose();
    }
}
