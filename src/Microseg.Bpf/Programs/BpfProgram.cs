using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Microseg.Bpf;

/// <summary>
/// A loaded BPF program: one of a <see cref="BpfObject"/>'s programs (the object owns the
/// fd) or one opened from a pin or id (this instance owns the fd; dispose closes it).
/// </summary>
public sealed unsafe partial class BpfProgram : BpfKernelObject
{
    /// <summary>The tag as hex, formatted once.</summary>
    private string? _tag;

    internal BpfProgram(BpfObject owner, nint libbpfProgram, string name) : base(owner, libbpfProgram, name)
    {
    }

    private BpfProgram(SafeFdHandle fd) : this(fd, QueryInfo<BpfProgInfo>(fd, "program"))
    {
    }

    private BpfProgram(SafeFdHandle fd, BpfProgInfo info) : base(fd, NameOf(info))
    {
        _info = info;
        _haveInfo = true;
    }

    /// <summary>The kernel's description; read once, when first needed.</summary>
    private BpfProgInfo _info;
    private bool _haveInfo;

    private ref readonly BpfProgInfo Info
    {
        get
        {
            if (!_haveInfo)
            {
                _info = QueryInfo<BpfProgInfo>(Handle, "program");
                _haveInfo = true;
            }
            return ref _info;
        }
    }

    private protected override string Kind => "program";

    /// <summary>The program type (known before load for object programs).</summary>
    public BpfProgramType ProgramType
        => Owner is not null ? (BpfProgramType)Interop.Libbpf.bpf_program__type(LibbpfHandle) : (BpfProgramType)Info.Type;

    /// <summary>The kernel's id for the loaded program (what XDP/TC queries report).</summary>
    public uint Id => Info.Id;

    /// <summary>The kernel's 8-byte program tag (a hash of the instructions) as 16 lowercase hex digits.</summary>
    public string Tag
    {
        get
        {
            if (_tag is null)
            {
                BpfProgInfo info = Info;
                _tag = Convert.ToHexStringLower(new ReadOnlySpan<byte>(info.Tag, 8));
            }
            return _tag;
        }
    }

    /// <summary>Opens a pinned program (bpf_obj_get); the returned program owns its fd.</summary>
    public static BpfProgram OpenPinned(string path) => new(new SafeFdHandle(BpfPin.Get(path)));

    /// <summary>Opens a program by kernel id (e.g. one an XDP query reported); the returned program owns its fd.</summary>
    public static BpfProgram OpenById(uint id)
    {
        int fd = Interop.Libbpf.bpf_prog_get_fd_by_id(id);
        if (fd < 0)
            Interop.Throw(fd, "bpf_prog_get_fd_by_id", $"program id {id}");
        return new BpfProgram(new SafeFdHandle(fd));
    }

    private protected override int LibbpfFd(out string call)
    {
        call = "bpf_program__fd";
        return Interop.Libbpf.bpf_program__fd(LibbpfHandle);
    }

    private static string NameOf(in BpfProgInfo info)
    {
        fixed (byte* name = info.Name)
            return Marshal.PtrToStringUTF8((nint)name) ?? string.Empty;
    }
}
