using System.Runtime.InteropServices;

namespace Microseg.Bpf;

internal static partial class Interop
{
    /// <remarks>
    /// Every fd argument is a <see cref="SafeFdHandle"/>: the generated marshaller add-refs it
    /// for the call, so a concurrent Dispose cannot close (and the kernel reuse) the number
    /// mid-call. Functions that return a new fd return an int (it may be a negative errno),
    /// which the caller wraps at once.
    /// </remarks>
    internal static unsafe partial class Libbpf
    {
        /// <summary>0 on success; -ENOENT when the key is absent.</summary>
        [LibraryImport(Libraries.Libbpf, EntryPoint = "bpf_map_lookup_elem")]
        internal static partial int bpf_map_lookup_elem(SafeFdHandle fd, void* key, void* value);

        /// <summary>0 on success; -EEXIST/-ENOENT when the flags' condition fails; -E2BIG when full.</summary>
        [LibraryImport(Libraries.Libbpf, EntryPoint = "bpf_map_update_elem")]
        internal static partial int bpf_map_update_elem(SafeFdHandle fd, void* key, void* value, ulong flags);

        /// <summary>0 on success; -ENOENT when the key is absent; -EINVAL for arrays.</summary>
        [LibraryImport(Libraries.Libbpf, EntryPoint = "bpf_map_delete_elem")]
        internal static partial int bpf_map_delete_elem(SafeFdHandle fd, void* key);

        /// <summary>0 with next_key filled; -ENOENT after the last key. key NULL = first key.</summary>
        [LibraryImport(Libraries.Libbpf, EntryPoint = "bpf_map_get_next_key")]
        internal static partial int bpf_map_get_next_key(SafeFdHandle fd, void* key, void* nextKey);

        /// <summary>0 on success; on failure *count holds how many elements were applied.</summary>
        [LibraryImport(Libraries.Libbpf, EntryPoint = "bpf_map_update_batch")]
        internal static partial int bpf_map_update_batch(SafeFdHandle fd, void* keys, void* values, uint* count, BpfMapBatchOpts* opts);

        /// <summary>0 on success; on failure *count holds how many elements were deleted.</summary>
        [LibraryImport(Libraries.Libbpf, EntryPoint = "bpf_map_lookup_batch")]
        internal static partial int bpf_map_lookup_batch(SafeFdHandle fd, void* inBatch, void* outBatch, void* keys, void* values, uint* count, BpfMapBatchOpts* opts);

        [LibraryImport(Libraries.Libbpf, EntryPoint = "bpf_map_delete_batch")]
        internal static partial int bpf_map_delete_batch(SafeFdHandle fd, void* keys, uint* count, BpfMapBatchOpts* opts);

        /// <summary>Pins the fd at a bpffs path; 0 or negative errno.</summary>
        [LibraryImport(Libraries.Libbpf, EntryPoint = "bpf_obj_pin", StringMarshalling = StringMarshalling.Utf8)]
        internal static partial int bpf_obj_pin(SafeFdHandle fd, string path);

        /// <summary>A new fd for a pinned object, or a negative errno.</summary>
        [LibraryImport(Libraries.Libbpf, EntryPoint = "bpf_obj_get", StringMarshalling = StringMarshalling.Utf8)]
        internal static partial int bpf_obj_get(string path);

        /// <summary>A new fd for the program with that id, or a negative errno.</summary>
        [LibraryImport(Libraries.Libbpf, EntryPoint = "bpf_prog_get_fd_by_id")]
        internal static partial int bpf_prog_get_fd_by_id(uint id);

        /// <summary>A new fd for the map with that id, or a negative errno.</summary>
        [LibraryImport(Libraries.Libbpf, EntryPoint = "bpf_map_get_fd_by_id")]
        internal static partial int bpf_map_get_fd_by_id(uint id);

        /// <summary>Fills a bpf_{prog,map}_info prefix of *len bytes; 0 or negative errno.</summary>
        [LibraryImport(Libraries.Libbpf, EntryPoint = "bpf_obj_get_info_by_fd")]
        internal static partial int bpf_obj_get_info_by_fd(SafeFdHandle fd, void* info, uint* length);

        /// <summary>BPF_PROG_TEST_RUN; 0 with outputs in opts, or negative errno.</summary>
        [LibraryImport(Libraries.Libbpf, EntryPoint = "bpf_prog_test_run_opts")]
        internal static partial int bpf_prog_test_run_opts(SafeFdHandle fd, BpfTestRunOpts* opts);

        /// <summary>Attaches XDP (bpf_xdp_detach detaches); 0 or negative errno.</summary>
        [LibraryImport(Libraries.Libbpf, EntryPoint = "bpf_xdp_attach")]
        internal static partial int bpf_xdp_attach(int ifindex, SafeFdHandle progFd, uint flags, BpfXdpAttachOpts* opts);

        /// <summary>Detaches XDP in the mode the flags name; 0 or negative errno.</summary>
        [LibraryImport(Libraries.Libbpf, EntryPoint = "bpf_xdp_detach")]
        internal static partial int bpf_xdp_detach(int ifindex, uint flags, BpfXdpAttachOpts* opts);

        /// <summary>Fills the ids of attached XDP programs; 0 or negative errno.</summary>
        [LibraryImport(Libraries.Libbpf, EntryPoint = "bpf_xdp_query")]
        internal static partial int bpf_xdp_query(int ifindex, int flags, BpfXdpQueryOpts* opts);

        /// <summary>Creates the clsact qdisc; -EEXIST when it is already there.</summary>
        [LibraryImport(Libraries.Libbpf, EntryPoint = "bpf_tc_hook_create")]
        internal static partial int bpf_tc_hook_create(BpfTcHook* hook);

        /// <summary>With attach_point INGRESS|EGRESS removes the whole clsact qdisc.</summary>
        [LibraryImport(Libraries.Libbpf, EntryPoint = "bpf_tc_hook_destroy")]
        internal static partial int bpf_tc_hook_destroy(BpfTcHook* hook);

        /// <summary>Adds a direct-action bpf filter; fills prog_id; -EEXIST unless BPF_TC_F_REPLACE.</summary>
        [LibraryImport(Libraries.Libbpf, EntryPoint = "bpf_tc_attach")]
        internal static partial int bpf_tc_attach(BpfTcHook* hook, BpfTcOpts* opts);

        /// <summary>Removes the filter at handle/priority (prog_fd, flags, prog_id must be 0).</summary>
        [LibraryImport(Libraries.Libbpf, EntryPoint = "bpf_tc_detach")]
        internal static partial int bpf_tc_detach(BpfTcHook* hook, BpfTcOpts* opts);

        /// <summary>Fills prog_id for the filter at handle/priority; -ENOENT when none.</summary>
        [LibraryImport(Libraries.Libbpf, EntryPoint = "bpf_tc_query")]
        internal static partial int bpf_tc_query(BpfTcHook* hook, BpfTcOpts* opts);
    }
}
