using System.Runtime.ExceptionServices;
using Tmds.Linux;

namespace Microseg.Bpf;

/// <summary>
/// A handle on a network namespace (the file <c>ip netns add</c> creates) that runs code
/// inside it on a dedicated OS thread. Only the network namespace changes: the mount
/// namespace stays, so bpffs pins remain visible. Sockets created inside
/// <see cref="Run{T}(Func{T})"/> belong to the namespace for their whole life, even when
/// used from other threads afterwards.
/// </summary>
public sealed unsafe class NetworkNamespace : IDisposable
{
    /// <summary>Where iproute2 keeps named namespaces.</summary>
    public const string NamedNamespaceDirectory = "/var/run/netns";

    /// <summary>setns's nstype for a network namespace (sched.h; Tmds.LibC 0.5.0 names no CLONE_* flags).</summary>
    private const int CloneNewNet = 0x40000000;

    /// <summary>The open namespace file.</summary>
    private readonly SafeFdHandle _fd;

    private NetworkNamespace(SafeFdHandle fd, string path)
    {
        _fd = fd;
        Path = path;
    }

    /// <summary>The namespace file this was opened from.</summary>
    public string Path { get; }

    /// <summary>Opens the named namespace <c>/var/run/netns/&lt;name&gt;</c>.</summary>
    public static NetworkNamespace Open(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        if (name.Contains('/'))
            throw new ArgumentException($"'{name}' is not a namespace name (use OpenPath for paths).", nameof(name));
        return OpenPath(System.IO.Path.Combine(NamedNamespaceDirectory, name));
    }

    /// <summary>Opens a namespace by path, e.g. /proc/&lt;pid&gt;/ns/net.</summary>
    public static NetworkNamespace OpenPath(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        int fd;
        fixed (byte* pathBytes = Interop.Utf8z(path))
            fd = LibC.open(pathBytes, LibC.O_RDONLY | LibC.O_CLOEXEC, 0);
        if (fd < 0)
            Interop.ThrowLastError("open", $"network namespace {path}");
        return new NetworkNamespace(new SafeFdHandle(fd), path);
    }

    /// <summary>
    /// Runs <paramref name="action"/> on a new OS thread that has first joined this network
    /// namespace (setns CLONE_NEWNET), waits for it, and returns its result; exceptions
    /// propagate with their original stack. The thread ends afterwards, so the namespace
    /// switch never leaks into a pooled thread.
    /// </summary>
    public T Run<T>(Func<T> action)
    {
        ArgumentNullException.ThrowIfNull(action);
        ObjectDisposedException.ThrowIf(_fd.IsClosed, this);
        T result = default!;
        ExceptionDispatchInfo? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                int rc;
                using (BorrowedFd fd = _fd.Borrow())
                    rc = LibC.setns(fd.Fd, CloneNewNet);
                if (rc != 0)
                    Interop.ThrowLastError("setns", $"network namespace {Path}");
                result = action();
            }
            catch (Exception exception)
            {
                failure = ExceptionDispatchInfo.Capture(exception);
            }
        })
        {
            IsBackground = true,
            Name = "netns " + System.IO.Path.GetFileName(Path),
        };
        thread.Start();
        thread.Join();
        failure?.Throw();
        return result;
    }

    /// <summary>Runs <paramref name="action"/> inside the namespace; see <see cref="Run{T}(Func{T})"/>.</summary>
    public void Run(Action action)
    {
        ArgumentNullException.ThrowIfNull(action);
        Run(() =>
        {
            action();
            return true;
        });
    }

    /// <summary>
    /// The index of <paramref name="interfaceName"/> in the calling thread's network
    /// namespace (call it inside <see cref="Run{T}(Func{T})"/> for a namespace's devices).
    /// </summary>
    /// <exception cref="BpfException">No such interface (ENODEV).</exception>
    public static int InterfaceIndex(string interfaceName)
    {
        ArgumentException.ThrowIfNullOrEmpty(interfaceName);
        uint index = Interop.LibcExtra.if_nametoindex(interfaceName);
        if (index == 0)
        {
            int errno = Interop.LastErrno;
            throw Interop.CreateException(errno == 0 ? Interop.ENODEV : errno, "if_nametoindex",
                $"interface '{interfaceName}' in the current network namespace");
        }
        return (int)index;
    }

    /// <summary>Closes the namespace fd (the namespace itself lives on while named or in use).</summary>
    public void Dispose() => _fd.Dispose();

    /// <inheritdoc/>
    public override string ToString() => $"network namespace {Path}";
}
