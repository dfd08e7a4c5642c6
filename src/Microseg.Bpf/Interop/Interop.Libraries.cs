namespace Microseg.Bpf;

/// <summary>
/// Every native function the library calls, one nested class per native library
/// (the dotnet/runtime layout). Names of the libraries are defined here once.
/// </summary>
internal static partial class Interop
{
    /// <summary>The native library names, resolved by the runtime's usual probing.</summary>
    internal static class Libraries
    {
        /// <summary>libbpf 1.x; the soname pins the major version whose ABI the structs below mirror.</summary>
        internal const string Libbpf = "libbpf.so.1";

        /// <summary>
        /// The C library (glibc on Debian), for <see cref="LibcExtra"/> only: every other libc
        /// call goes through Tmds.LibC.
        /// </summary>
        internal const string Libc = "libc.so.6";
    }
}
