using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Microseg.Bpf;

public sealed unsafe partial class BpfObject
{
    private const uint BtfKindVariable = 14;
    private const uint BtfKindDataSection = 15;

    /// <summary>
    /// The writable initial-value image of a global-data map, for setting
    /// <c>const volatile</c> globals between open and load. Internal maps are named
    /// "&lt;object name, truncated&gt;.rodata" (".bss", ".data"), so this matches the first
    /// map whose name ends with <paramref name="mapNameSuffix"/> (e.g. ".rodata"). The span
    /// points into libbpf's memory: valid until <see cref="Load"/> freezes the map or the
    /// object is disposed, and laid out as the C globals (offsets from the object's BTF;
    /// <see cref="SetReadOnlyGlobal{T}"/> looks them up by variable name).
    /// </summary>
    public Span<byte> GetInitialValue(string mapNameSuffix)
    {
        ArgumentException.ThrowIfNullOrEmpty(mapNameSuffix);
        ThrowIfLoaded(nameof(GetInitialValue));
        nint map = FindMapBySuffix(mapNameSuffix);
        nuint size;
        byte* data = Interop.Libbpf.bpf_map__initial_value(map, &size);
        if (data == null)
            throw new InvalidOperationException($"Map '*{mapNameSuffix}' in {Path} has no initial value (it is not a global-data section).");
        return new Span<byte>(data, checked((int)size));
    }

    /// <summary>
    /// Sets a <c>const volatile</c> global (in ".rodata") by its C name before load. The
    /// offset and size come from the object's BTF, and the size must equal sizeof(T).
    /// </summary>
    public void SetReadOnlyGlobal<T>(string variableName, in T value) where T : unmanaged
        => SetGlobal(".rodata", variableName, value);

    /// <summary>Sets a global in the data section named by <paramref name="sectionName"/> (".rodata", ".data", ".bss") before load.</summary>
    public void SetGlobal<T>(string sectionName, string variableName, in T value) where T : unmanaged
    {
        ArgumentException.ThrowIfNullOrEmpty(variableName);
        Span<byte> image = GetInitialValue(sectionName);
        (uint offset, uint size) = FindVariable(sectionName, variableName);
        if (size != (uint)sizeof(T))
            throw new ArgumentException($"Global '{variableName}' in {Path} is {size} bytes but {typeof(T).Name} is {sizeof(T)} bytes.", nameof(value));
        if (offset + size > (uint)image.Length)
            throw new InvalidOperationException($"Global '{variableName}' lies outside the {sectionName} image of {Path}.");
        Unsafe.WriteUnaligned(ref image[(int)offset], value);
    }

    private nint FindMapBySuffix(string suffix)
    {
        for (nint map = Interop.Libbpf.bpf_object__next_map(Pointer, 0); map != 0; map = Interop.Libbpf.bpf_object__next_map(Pointer, map))
        {
            string? name = Marshal.PtrToStringUTF8((nint)Interop.Libbpf.bpf_map__name(map));
            if (name is not null && name.EndsWith(suffix, StringComparison.Ordinal))
                return map;
        }
        throw new KeyNotFoundException($"BPF object {Path} has no map whose name ends with '{suffix}'; it has: {string.Join(", ", MapNames)}.");
    }

    /// <summary>Walks the DATASEC of that section for a VAR with that name.</summary>
    private (uint Offset, uint Size) FindVariable(string sectionName, string variableName)
    {
        nint btf = Interop.Libbpf.bpf_object__btf(Pointer);
        if (btf == 0)
            throw new InvalidOperationException($"{Path} has no BTF; compile it with -g to set globals by name.");
        int sectionId = Interop.Libbpf.btf__find_by_name_kind(btf, sectionName, BtfKindDataSection);
        if (sectionId < 0)
            throw new KeyNotFoundException($"{Path} has no {sectionName} section in its BTF.");
        BtfType* section = Interop.Libbpf.btf__type_by_id(btf, (uint)sectionId);
        // A DATASEC is followed by vlen struct btf_var_secinfo { u32 type; u32 offset; u32 size; }.
        uint* entries = (uint*)(section + 1);
        for (uint i = 0; i < (section->Info & 0xffff); i++)
        {
            BtfType* variable = Interop.Libbpf.btf__type_by_id(btf, entries[i * 3]);
            if (variable == null || ((variable->Info >> 24) & 0x1f) != BtfKindVariable)
                continue;
            string? name = Marshal.PtrToStringUTF8((nint)Interop.Libbpf.btf__name_by_offset(btf, variable->NameOffset));
            if (name == variableName)
                return (entries[i * 3 + 1], entries[i * 3 + 2]);
        }
        throw new KeyNotFoundException($"{Path} has no global named '{variableName}' in {sectionName}.");
    }
}
