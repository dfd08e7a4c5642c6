using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;

namespace Microseg.Bpf;

internal static partial class Interop
{
    // errno values (Linux, every architecture .NET runs on).
    internal const int EPERM = 1;
    internal const int ENOENT = 2;
    internal const int EINTR = 4;
    internal const int E2BIG = 7;
    internal const int EBADF = 9;
    internal const int EAGAIN = 11;
    internal const int ENOMEM = 12;
    internal const int EACCES = 13;
    internal const int EBUSY = 16;
    internal const int EEXIST = 17;
    internal const int ENODEV = 19;
    internal const int EINVAL = 22;
    internal const int ENOSPC = 28;
    internal const int ERANGE = 34;
    internal const int EOPNOTSUPP = 95;
    /// <summary>Kernel-internal ENOTSUPP that leaks out of some BPF commands (not the libc ENOTSUP).</summary>
    internal const int ENOTSUPP = 524;

    /// <summary>
    /// The one place errno becomes an exception. <paramref name="errno"/> may be passed
    /// negative (libbpf 1.x returns -errno); <paramref name="subject"/> names what the call
    /// was about (a map, a path, an interface) so the message carries context.
    /// </summary>
    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    internal static void Throw(int errno, string call, string? subject = null, string? detail = null)
        => throw CreateException(errno, call, subject, detail);

    /// <summary>Builds (without throwing) the exception <see cref="Throw"/> would throw.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    internal static BpfException CreateException(int errno, string call, string? subject = null, string? detail = null)
    {
        errno = Math.Abs(errno);
        string about = subject is null ? string.Empty : $" ({subject})";
        string message = $"{call}{about} failed: {Describe(errno, call)} (errno {errno})";
        if (!string.IsNullOrEmpty(detail))
            message += Environment.NewLine + detail;
        return new BpfException(errno, call, message);
    }

    /// <summary>
    /// The errno of the last native call that captures it: Tmds.LibC's (all SetLastError) and
    /// ours with SetLastError share the runtime's per-thread slot. The one place errno is read;
    /// read it right after the failing call, before anything else calls into native code.
    /// </summary>
    internal static int LastErrno => Tmds.Linux.LibC.errno;

    /// <summary>Throws for the errno the last native call captured (<see cref="LastErrno"/>).</summary>
    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    internal static void ThrowLastError(string call, string? subject = null)
        => Throw(LastErrno, call, subject);


    /// <summary>Words for an errno, specialised by the BPF command where the cause is known.</summary>
    private static string Describe(int errno, string call) => errno switch
    {
        EPERM or EACCES when call == "bpf_object__load" =>
            "permission denied or rejected by the verifier; loading BPF needs root or CAP_BPF+CAP_NET_ADMIN (+CAP_PERFMON for pointer-leaking programs), and see the verifier log below",
        EPERM or EACCES when call is "setns" or "mount" =>
            "permission denied; this needs root (CAP_SYS_ADMIN)",
        EPERM or EACCES =>
            "permission denied; this needs root or CAP_BPF+CAP_NET_ADMIN (+CAP_PERFMON)",
        ENOENT when call.StartsWith("bpf_map_", StringComparison.Ordinal) => "no such element",
        ENOENT when call is "bpf_obj_get" or "bpf_object__open_file" or "btf__parse" or "open" or "setns" =>
            "the file does not exist",
        ENOENT when call.StartsWith("bpf_tc_", StringComparison.Ordinal) => "no such tc filter or qdisc",
        ENOENT => "not found",
        EINVAL when call == "bpf_prog_test_run_opts" =>
            "the kernel rejected the test-run arguments (packet too short for the program type, or a context field it does not allow)",
        EINVAL when call.StartsWith("bpf_map_", StringComparison.Ordinal) =>
            "invalid argument (wrong key/value size, flags, or an operation this map type does not support)",
        EINVAL => "invalid argument",
        ENOTSUPP or EOPNOTSUPP when call.StartsWith("bpf_xdp_", StringComparison.Ordinal) =>
            "the device's driver does not support this XDP mode (try generic mode)",
        ENOTSUPP or EOPNOTSUPP when call.StartsWith("bpf_map_", StringComparison.Ordinal) =>
            "this map type does not support the operation",
        ENOTSUPP or EOPNOTSUPP => "operation not supported by this kernel or device",
        EEXIST when call.StartsWith("bpf_map_", StringComparison.Ordinal) => "the key already exists",
        EEXIST => "already exists (another program or filter is attached)",
        E2BIG => "too big (the map is full or the argument exceeds a kernel limit)",
        ENOSPC => "no space left (map full, or the output buffer is too small)",
        ENOMEM => "out of memory (check the memlock limit and map sizes)",
        EBUSY => "device or resource busy (another XDP program is attached in a different mode?)",
        ENODEV => "no such network device",
        EBADF => "bad file descriptor (the object was closed?)",
        ERANGE => "result out of range",
        EAGAIN => "resource temporarily unavailable",
        _ => global::System.Runtime.InteropServices.Marshal.GetPInvokeErrorMessage(errno),
    };
}
