namespace Microseg.Bpf;

/// <summary>
/// A libbpf, bpf(2) or related libc call failed. <see cref="Errno"/> is the positive errno
/// and <see cref="Call"/> the native function that failed, so callers can branch on
/// either without parsing the message; the message says in words what went wrong and,
/// where it can be told, which privilege, kernel feature or object is missing.
/// </summary>
public sealed class BpfException : Exception
{
    /// <summary>Creates the exception; normally built by the library's errno mapping.</summary>
    public BpfException(int errno, string call, string message) : base(message)
    {
        Errno = errno;
        Call = call;
    }

    /// <summary>Creates the exception with an inner cause.</summary>
    public BpfException(int errno, string call, string message, Exception innerException) : base(message, innerException)
    {
        Errno = errno;
        Call = call;
    }

    /// <summary>The positive errno (for example 2 for ENOENT, 1 for EPERM).</summary>
    public int Errno { get; }

    /// <summary>The failing native function, for example "bpf_map_update_elem".</summary>
    public string Call { get; }
}
