using System.Runtime.InteropServices;

namespace Microseg.Bpf;

internal static partial class Interop
{
    /// <summary>
    /// libbpf 1.1 entry points. Unless a comment says otherwise, an int return is 0 (or a
    /// non-negative value) on success and a negative errno on failure; pointer returns are
    /// NULL on failure with errno set (hence SetLastError on those).
    /// </summary>
    internal static unsafe partial class Libbpf
    {
        /// <summary>Opens an ELF object; returns NULL and sets errno on failure.</summary>
        [LibraryImport(Libraries.Libbpf, EntryPoint = "bpf_object__open_file", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
        internal static partial nint bpf_object__open_file(string path, BpfObjectOpenOpts* opts);

        /// <summary>Creates maps and loads programs; negative errno on failure (log goes to the print callback).</summary>
        [LibraryImport(Libraries.Libbpf, EntryPoint = "bpf_object__load")]
        internal static partial int bpf_object__load(nint obj);

        /// <summary>Closes every fd the object holds and frees it; NULL is allowed.</summary>
        [LibraryImport(Libraries.Libbpf, EntryPoint = "bpf_object__close")]
        internal static partial void bpf_object__close(nint obj);

        /// <summary>Returns the map with that exact name, or NULL.</summary>
        [LibraryImport(Libraries.Libbpf, EntryPoint = "bpf_object__find_map_by_name", StringMarshalling = StringMarshalling.Utf8)]
        internal static partial nint bpf_object__find_map_by_name(nint obj, string name);

        /// <summary>Iterates maps: NULL starts, NULL ends.</summary>
        [LibraryImport(Libraries.Libbpf, EntryPoint = "bpf_object__next_map")]
        internal static partial nint bpf_object__next_map(nint obj, nint map);

        /// <summary>Returns the program whose C function has that name, or NULL (errno ENOENT).</summary>
        [LibraryImport(Libraries.Libbpf, EntryPoint = "bpf_object__find_program_by_name", StringMarshalling = StringMarshalling.Utf8)]
        internal static partial nint bpf_object__find_program_by_name(nint obj, string name);

        /// <summary>The map's fd after load, or a negative errno before.</summary>
        [LibraryImport(Libraries.Libbpf, EntryPoint = "bpf_map__fd")]
        internal static partial int bpf_map__fd(nint map);

        /// <summary>Uses fd (duplicated) for the map at load. Returns 0, or a negative errno.</summary>
        [LibraryImport(Libraries.Libbpf, EntryPoint = "bpf_map__reuse_fd")]
        internal static partial int bpf_map__reuse_fd(nint map, SafeFdHandle fd);

        /// <summary>The map's name (owned by the object, valid while it lives).</summary>
        [LibraryImport(Libraries.Libbpf, EntryPoint = "bpf_map__name")]
        internal static partial byte* bpf_map__name(nint map);

        /// <summary>The map's enum bpf_map_type.</summary>
        [LibraryImport(Libraries.Libbpf, EntryPoint = "bpf_map__type")]
        internal static partial int bpf_map__type(nint map);

        /// <summary>Key size in bytes.</summary>
        [LibraryImport(Libraries.Libbpf, EntryPoint = "bpf_map__key_size")]
        internal static partial uint bpf_map__key_size(nint map);

        /// <summary>Value size in bytes (per CPU for per-CPU maps).</summary>
        [LibraryImport(Libraries.Libbpf, EntryPoint = "bpf_map__value_size")]
        internal static partial uint bpf_map__value_size(nint map);

        /// <summary>max_entries as declared or set.</summary>
        [LibraryImport(Libraries.Libbpf, EntryPoint = "bpf_map__max_entries")]
        internal static partial uint bpf_map__max_entries(nint map);

        /// <summary>BPF_F_* creation flags.</summary>
        [LibraryImport(Libraries.Libbpf, EntryPoint = "bpf_map__map_flags")]
        internal static partial uint bpf_map__map_flags(nint map);

        /// <summary>Sets max_entries; -EBUSY once the object is loaded.</summary>
        [LibraryImport(Libraries.Libbpf, EntryPoint = "bpf_map__set_max_entries")]
        internal static partial int bpf_map__set_max_entries(nint map, uint maxEntries);

        /// <summary>The writable initial-value image of a global-data map (before load), or NULL.</summary>
        [LibraryImport(Libraries.Libbpf, EntryPoint = "bpf_map__initial_value")]
        internal static partial byte* bpf_map__initial_value(nint map, nuint* size);

        /// <summary>The program's fd after load, or a negative errno before.</summary>
        [LibraryImport(Libraries.Libbpf, EntryPoint = "bpf_program__fd")]
        internal static partial int bpf_program__fd(nint prog);

        /// <summary>The program's C function name.</summary>
        [LibraryImport(Libraries.Libbpf, EntryPoint = "bpf_program__name")]
        internal static partial byte* bpf_program__name(nint prog);

        /// <summary>The program's enum bpf_prog_type.</summary>
        [LibraryImport(Libraries.Libbpf, EntryPoint = "bpf_program__type")]
        internal static partial int bpf_program__type(nint prog);

        /// <summary>Installs the log callback; returns the previous one.</summary>
        [LibraryImport(Libraries.Libbpf, EntryPoint = "libbpf_set_print")]
        internal static partial nint libbpf_set_print(delegate* unmanaged[Cdecl]<int, byte*, nint, int> fn);

        /// <summary>Number of possible CPUs (the per-CPU value count), or a negative errno.</summary>
        [LibraryImport(Libraries.Libbpf, EntryPoint = "libbpf_num_possible_cpus")]
        internal static partial int libbpf_num_possible_cpus();
    }
}
