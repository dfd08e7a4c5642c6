using System.Diagnostics.CodeAnalysis;
using System.Runtime.InteropServices;

namespace Microseg.Bpf;

/// <summary>
/// Type information (BTF) from a compiled BPF object or a raw BTF file, for checking that
/// C# mirrors of shared structs match the C layout the program was compiled with.
/// </summary>
public sealed unsafe partial class BtfFile : IDisposable
{
    private const uint KindStruct = 4;
    private const uint KindUnion = 5;

    private readonly SafeBtfHandle _btf;

    private BtfFile(SafeBtfHandle btf, string path)
    {
        _btf = btf;
        Path = path;
    }

    /// <summary>The file parsed.</summary>
    public string Path { get; }

    /// <summary>Parses BTF with btf__parse: the .BTF section of an ELF object, or a raw BTF file.</summary>
    public static BtfFile Parse(string objectPath)
    {
        ArgumentException.ThrowIfNullOrEmpty(objectPath);
        LibbpfLog.EnsureInstalled();
        nint btf = Interop.Libbpf.btf__parse(objectPath, null);
        if (btf == 0)
            Interop.ThrowLastError("btf__parse", objectPath);
        return new BtfFile(new SafeBtfHandle(btf), objectPath);
    }

    /// <summary>The layout of struct (or, failing that, union) <paramref name="name"/>; false if absent.</summary>
    public bool TryGetStruct(string name, [NotNullWhen(true)] out BtfStructLayout? layout)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        nint btf = Pointer;
        int id = Interop.Libbpf.btf__find_by_name_kind(btf, name, KindStruct);
        if (id < 0)
            id = Interop.Libbpf.btf__find_by_name_kind(btf, name, KindUnion);
        if (id < 0)
        {
            layout = null;
            return false;
        }
        layout = ReadComposite(btf, (uint)id, name);
        return true;
    }

    /// <summary>As <see cref="TryGetStruct"/>, throwing a message naming the file when absent.</summary>
    public BtfStructLayout GetStruct(string name)
        => TryGetStruct(name, out BtfStructLayout? layout) ? layout
            : throw new KeyNotFoundException($"The BTF of {Path} has no struct or union named '{name}' (is it used by a map, global or function, and was the object built with -g?).");

    /// <summary>Frees the parsed BTF.</summary>
    public void Dispose() => _btf.Dispose();

    private nint Pointer
    {
        get
        {
            ObjectDisposedException.ThrowIf(_btf.IsClosed, this);
            return _btf.DangerousGetHandle();
        }
    }

    private static BtfStructLayout ReadComposite(nint btf, uint id, string name)
    {
        BtfType* type = Interop.Libbpf.btf__type_by_id(btf, id);
        uint vlen = type->Info & 0xffff;
        uint kind = (type->Info >> 24) & 0x1f;
        // With kind_flag set, each member's offset packs (bitfield size << 24 | bit offset).
        bool kindFlag = (type->Info >> 31) != 0;
        var members = new BtfMember[vlen];
        var records = (BtfMemberRecord*)(type + 1);
        for (uint i = 0; i < vlen; i++)
        {
            BtfMemberRecord record = records[i];
            uint bitOffset = kindFlag ? record.Offset & 0xffffff : record.Offset;
            uint bitfieldSize = kindFlag ? record.Offset >> 24 : 0;
            long size = Interop.Libbpf.btf__resolve_size(btf, record.Type);
            if (size < 0)
                Interop.Throw((int)size, "btf__resolve_size", $"member {i} of {name}");
            string memberName = Marshal.PtrToStringUTF8((nint)Interop.Libbpf.btf__name_by_offset(btf, record.NameOffset)) ?? string.Empty;
            members[i] = new BtfMember(memberName, bitOffset, (uint)size, bitfieldSize);
        }
        return new BtfStructLayout(name, type->SizeOrType, kind == KindUnion, members);
    }
}
