namespace Microseg.Bpf;

/// <summary>Pinning helpers for paths on bpffs.</summary>
public static unsafe class BpfPin
{
    /// <summary>Removes a pin (unlink). A missing path is not an error: the goal state is reached.</summary>
    public static void Unpin(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        int rc;
        fixed (byte* pathBytes = Interop.Utf8z(path))
            rc = Tmds.Linux.LibC.unlink(pathBytes);
        if (rc != 0)
        {
            int errno = Interop.LastErrno;
            if (errno != Interop.ENOENT)
                Interop.Throw(errno, "unlink", path);
        }
    }

    /// <summary>True if something is pinned (or any file exists) at the path.</summary>
    public static bool Exists(string path) => File.Exists(path);

    /// <summary>bpf_obj_pin with context for the error.</summary>
    internal static void Pin(SafeFdHandle fd, string path, string what)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        int rc = Interop.Libbpf.bpf_obj_pin(fd, path);
        if (rc < 0)
            Interop.Throw(rc, "bpf_obj_pin", $"{what} at {path}; the directory must exist on a mounted bpffs");
    }

    /// <summary>bpf_obj_get; returns a new fd the caller owns.</summary>
    internal static int Get(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        int fd = Interop.Libbpf.bpf_obj_get(path);
        if (fd < 0)
            Interop.Throw(fd, "bpf_obj_get", path);
        return fd;
    }
}
