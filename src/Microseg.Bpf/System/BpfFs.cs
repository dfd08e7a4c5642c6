namespace Microseg.Bpf;

/// <summary>The BPF filesystem, where pins live.</summary>
public static unsafe class BpfFs
{
    /// <summary>Where bpffs is conventionally mounted.</summary>
    public const string DefaultPath = "/sys/fs/bpf";

    /// <summary>BPF_FS_MAGIC from linux/magic.h: statfs f_type of a bpffs mount.</summary>
    private const long BpfFsMagic = 0xcafe4a11;

    /// <summary>True if <paramref name="path"/> lies on a bpffs mount.</summary>
    public static bool IsMounted(string path = DefaultPath)
    {
        // struct statfs is 120 bytes on 64-bit Linux with f_type (a long) first; 256 leaves margin.
        long* buffer = stackalloc long[32];
        if (Interop.LibcExtra.statfs(path, buffer) != 0)
            return false;
        return buffer[0] == BpfFsMagic;
    }

    /// <summary>Mounts bpffs at <paramref name="path"/> (creating the directory) unless it is already there.</summary>
    public static void Mount(string path = DefaultPath)
    {
        if (IsMounted(path))
            return;
        Directory.CreateDirectory(path);
        int rc;
        fixed (byte* bpf = "bpf"u8, target = Interop.Utf8z(path))
            rc = Tmds.Linux.LibC.mount(bpf, target, bpf, 0, null);
        if (rc != 0)
            Interop.ThrowLastError("mount", $"bpffs at {path}");
    }
}
