using System.Runtime.InteropServices;

namespace Microseg.Bpf;

internal static partial class Interop
{
    internal static unsafe partial class Libbpf
    {
        /// <summary>Parses BTF from an ELF object or raw file; NULL with errno set on failure.</summary>
        [LibraryImport(Libraries.Libbpf, EntryPoint = "btf__parse", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
        internal static partial nint btf__parse(string path, nint* btfExt);

        /// <summary>Frees a struct btf; NULL is allowed.</summary>
        [LibraryImport(Libraries.Libbpf, EntryPoint = "btf__free")]
        internal static partial void btf__free(nint btf);

        /// <summary>The type id of the named type of that kind, or -ENOENT.</summary>
        [LibraryImport(Libraries.Libbpf, EntryPoint = "btf__find_by_name_kind", StringMarshalling = StringMarshalling.Utf8)]
        internal static partial int btf__find_by_name_kind(nint btf, string name, uint kind);

        /// <summary>Pointer to the btf_type record, or NULL for a bad id.</summary>
        [LibraryImport(Libraries.Libbpf, EntryPoint = "btf__type_by_id")]
        internal static partial BtfType* btf__type_by_id(nint btf, uint id);

        /// <summary>The string at that offset of the string section (empty for 0).</summary>
        [LibraryImport(Libraries.Libbpf, EntryPoint = "btf__name_by_offset")]
        internal static partial byte* btf__name_by_offset(nint btf, uint offset);

        /// <summary>Size in bytes of the type after typedefs/modifiers/arrays, or negative errno.</summary>
        [LibraryImport(Libraries.Libbpf, EntryPoint = "btf__resolve_size")]
        internal static partial long btf__resolve_size(nint btf, uint id);

        /// <summary>The number of types in the BTF, plus one: valid ids run from 1 to this minus one.</summary>
        [LibraryImport(Libraries.Libbpf, EntryPoint = "btf__type_cnt")]
        internal static partial uint btf__type_cnt(nint btf);

        /// <summary>The object's own BTF (valid while the object lives), or NULL if it has none.</summary>
        [LibraryImport(Libraries.Libbpf, EntryPoint = "bpf_object__btf")]
        internal static partial nint bpf_object__btf(nint obj);
    }
}
