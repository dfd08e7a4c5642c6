using System.Runtime.InteropServices;

namespace Microseg.Bpf;

public sealed unsafe partial class BtfFile
{
    private const uint KindEnum = 6;
    private const uint KindEnum64 = 19;

    /// <summary>Every named enum in the BTF (BTF_KIND_ENUM and ENUM64), in type-id order.</summary>
    public IReadOnlyList<BtfEnum> Enums()
    {
        nint btf = Pointer;
        var enums = new List<BtfEnum>();
        uint count = Interop.Libbpf.btf__type_cnt(btf);
        for (uint id = 1; id < count; id++)
        {
            BtfType* type = Interop.Libbpf.btf__type_by_id(btf, id);
            uint kind = (type->Info >> 24) & 0x1f;
            if ((kind == KindEnum || kind == KindEnum64) && Name(btf, type->NameOffset) is { Length: > 0 } name)
                enums.Add(ReadEnum(btf, type, kind, name));
        }
        return enums;
    }

    private static BtfEnum ReadEnum(nint btf, BtfType* type, uint kind, string name)
    {
        uint vlen = type->Info & 0xffff;
        // With kind_flag set the values are signed; otherwise unsigned.
        bool signed = (type->Info >> 31) != 0;
        var values = new KeyValuePair<string, long>[vlen];
        for (uint i = 0; i < vlen; i++)
        {
            if (kind == KindEnum)
            {
                // struct btf_enum { __u32 name_off; __s32 val; }
                var record = (uint*)(type + 1) + 2 * i;
                long value = signed ? (int)record[1] : record[1];
                values[i] = new(Name(btf, record[0]), value);
            }
            else
            {
                // struct btf_enum64 { __u32 name_off; __u32 val_lo32; __u32 val_hi32; }
                var record = (uint*)(type + 1) + 3 * i;
                values[i] = new(Name(btf, record[0]), (long)(((ulong)record[2] << 32) | record[1]));
            }
        }
        return new BtfEnum(name, values);
    }

    private static string Name(nint btf, uint offset) =>
        Marshal.PtrToStringUTF8((nint)Interop.Libbpf.btf__name_by_offset(btf, offset)) ?? string.Empty;
}
