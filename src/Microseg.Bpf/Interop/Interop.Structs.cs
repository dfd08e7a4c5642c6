using System.Runtime.InteropServices;

namespace Microseg.Bpf;

// Mirrors of the libbpf 1.1.2 option structs (bpf/libbpf.h, bpf/bpf.h) and the kernel's
// info structs (linux/bpf.h). Each opts struct starts with sz = sizeof(struct): libbpf
// rejects a non-zero byte past the size it knows and ignores fields past sz, so the
// sizes below are the x86_64/arm64 sizeof checked with a C program against 1.1.2.
// Explicit layouts because several structs end in "size_t :0" tail padding.

/// <summary>struct bpf_object_open_opts (80 bytes).</summary>
[StructLayout(LayoutKind.Explicit, Size = 80)]
internal unsafe struct BpfObjectOpenOpts
{
    [FieldOffset(0)] public nuint Size;
    [FieldOffset(8)] public byte* ObjectName;
    [FieldOffset(16)] public byte RelaxedMaps;
    [FieldOffset(24)] public byte* PinRootPath;
    // 32: u32 stub of the removed attach_prog_fd; 40 kconfig; 48 btf_custom_path;
    // 56 kernel_log_buf; 64 kernel_log_size; 72 kernel_log_level: all left zero.
    [FieldOffset(72)] public uint KernelLogLevel;
}

/// <summary>struct bpf_map_batch_opts (24 bytes, no tail padding in 1.1.2).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct BpfMapBatchOpts
{
    public nuint Size;
    public ulong ElementFlags;
    public ulong Flags;
}

/// <summary>struct bpf_test_run_opts (80 bytes).</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct BpfTestRunOpts
{
    public nuint Size;
    public void* DataIn;
    public void* DataOut;
    public uint DataSizeIn;
    /// <summary>In: capacity of DataOut; out: bytes the program produced.</summary>
    public uint DataSizeOut;
    public void* ContextIn;
    public void* ContextOut;
    public uint ContextSizeIn;
    /// <summary>In: capacity of ContextOut; out: bytes written.</summary>
    public uint ContextSizeOut;
    public uint ReturnValue;
    public int Repeat;
    /// <summary>Average nanoseconds per repetition.</summary>
    public uint Duration;
    public uint Flags;
    public uint Cpu;
    public uint BatchSize;
}

/// <summary>struct bpf_xdp_attach_opts (16 bytes).</summary>
[StructLayout(LayoutKind.Explicit, Size = 16)]
internal struct BpfXdpAttachOpts
{
    [FieldOffset(0)] public nuint Size;
    [FieldOffset(8)] public int OldProgramFd;
}

/// <summary>struct bpf_xdp_query_opts (32 bytes).</summary>
[StructLayout(LayoutKind.Explicit, Size = 32)]
internal struct BpfXdpQueryOpts
{
    [FieldOffset(0)] public nuint Size;
    [FieldOffset(8)] public uint ProgramId;
    [FieldOffset(12)] public uint DriverProgramId;
    [FieldOffset(16)] public uint HardwareProgramId;
    [FieldOffset(20)] public uint GenericProgramId;
    /// <summary>XDP_ATTACHED_NONE=0, DRV=1, SKB=2, HW=3, MULTI=4.</summary>
    [FieldOffset(24)] public byte AttachMode;
}

/// <summary>struct bpf_tc_hook (24 bytes).</summary>
[StructLayout(LayoutKind.Explicit, Size = 24)]
internal struct BpfTcHook
{
    [FieldOffset(0)] public nuint Size;
    [FieldOffset(8)] public int Ifindex;
    /// <summary>enum bpf_tc_attach_point: INGRESS=1, EGRESS=2.</summary>
    [FieldOffset(12)] public int AttachPoint;
    [FieldOffset(16)] public uint Parent;
}

/// <summary>struct bpf_tc_opts (32 bytes).</summary>
[StructLayout(LayoutKind.Explicit, Size = 32)]
internal struct BpfTcOpts
{
    [FieldOffset(0)] public nuint Size;
    [FieldOffset(8)] public int ProgramFd;
    /// <summary>BPF_TC_F_REPLACE=1.</summary>
    [FieldOffset(12)] public uint Flags;
    [FieldOffset(16)] public uint ProgramId;
    [FieldOffset(20)] public uint Handle;
    [FieldOffset(24)] public uint Priority;
}

/// <summary>The prefix of struct bpf_map_info we read; the kernel accepts a shorter info_len.</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct BpfMapInfo
{
    public uint Type;
    public uint Id;
    public uint KeySize;
    public uint ValueSize;
    public uint MaxEntries;
    public uint Flags;
    public fixed byte Name[16];
}

/// <summary>The prefix of struct bpf_prog_info we read (type, id, tag ... name).</summary>
[StructLayout(LayoutKind.Explicit, Size = 80)]
internal unsafe struct BpfProgInfo
{
    [FieldOffset(0)] public uint Type;
    [FieldOffset(4)] public uint Id;
    [FieldOffset(8)] public fixed byte Tag[8];
    [FieldOffset(64)] public fixed byte Name[16];
}

/// <summary>struct btf_type: name_off, info (vlen | kind &lt;&lt; 24 | kflag &lt;&lt; 31), size-or-type.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct BtfType
{
    public uint NameOffset;
    public uint Info;
    public uint SizeOrType;
}

/// <summary>struct btf_member, vlen of which follow a struct/union btf_type.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct BtfMemberRecord
{
    public uint NameOffset;
    public uint Type;
    /// <summary>Bit offset; with the type's kflag, low 24 bits offset and high 8 bits bitfield size.</summary>
    public uint Offset;
}
