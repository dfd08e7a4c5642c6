using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;

namespace Microseg.Bpf;

/// <summary>
/// Receives everything libbpf prints (warnings, the verifier log of a failed load) through
/// one callback installed on first use of the library. Messages go to <see cref="Sink"/>
/// and into a bounded in-memory tail that <see cref="BpfObject.Load"/> quotes when loading
/// fails, so the exception carries the verifier's explanation.
/// </summary>
public static unsafe class LibbpfLog
{
    /// <summary>
    /// How much recent text is kept. The verifier log of a rejected program ends with the
    /// lines that matter; 64 KiB holds those for any program we write while bounding memory
    /// (libbpf can hand us a log of up to 16 MiB).
    /// </summary>
    public const int RetainedCharacters = 64 * 1024;

    /// <summary>Bytes formatted on the stack before falling back to a heap buffer.</summary>
    private const int StackFormatBytes = 2048;

    /// <summary>Guards <see cref="s_tail"/> and <see cref="s_totalWritten"/>; libbpf may log from any thread.</summary>
    private static readonly Lock s_lock = new();

    /// <summary>The last <see cref="RetainedCharacters"/> characters libbpf printed.</summary>
    private static readonly StringBuilder s_tail = new();

    /// <summary>Characters ever appended; lets a caller take "what was printed since position X".</summary>
    private static long s_totalWritten;

    /// <summary>0 until the callback is installed, then 1.</summary>
    private static int s_installed;

    /// <summary>
    /// Non-zero while this thread makes a call whose failure is an expected answer (a query
    /// for an absent filter, creating a qdisc that may exist): libbpf still prints the
    /// kernel's message, which then goes to the tail only, not to <see cref="Sink"/>.
    /// libbpf calls the print callback synchronously on the calling thread.
    /// </summary>
    [ThreadStatic]
    private static int t_quiet;

    /// <summary>
    /// Where messages go besides the retained tail. The default writes warnings to stderr
    /// and drops info/debug. Set to null to silence libbpf entirely.
    /// </summary>
    public static Action<LibbpfLogLevel, string>? Sink { get; set; } = WriteWarningsToStandardError;

    /// <summary>The minimum level retained in the tail (default: everything up to Info).</summary>
    public static LibbpfLogLevel RetainLevel { get; set; } = LibbpfLogLevel.Info;

    /// <summary>Installs the callback once per process; called by every entry point that may make libbpf print.</summary>
    internal static void EnsureInstalled()
    {
        if (Volatile.Read(ref s_installed) != 0 || Interlocked.Exchange(ref s_installed, 1) != 0)
            return;
        Interop.Libbpf.libbpf_set_print(&Print);
    }

    /// <summary>The current write position, to pass to <see cref="TextSince"/> later.</summary>
    internal static long Position
    {
        get { lock (s_lock) return s_totalWritten; }
    }

    /// <summary>Keeps libbpf's messages from the sink until disposed (see t_quiet).</summary>
    internal static QuietScope Quiet()
    {
        t_quiet++;
        return default;
    }

    /// <summary>Ends a <see cref="Quiet"/> region.</summary>
    internal readonly ref struct QuietScope
    {
        public void Dispose() => t_quiet--;
    }

    /// <summary>Text printed since <paramref name="position"/> (as much of it as is still retained).</summary>
    internal static string TextSince(long position)
    {
        lock (s_lock)
        {
            long available = Math.Min(s_totalWritten - position, s_tail.Length);
            return available <= 0 ? string.Empty : s_tail.ToString(s_tail.Length - (int)available, (int)available);
        }
    }

    /// <summary>The default <see cref="Sink"/>: warnings to stderr, the rest dropped.</summary>
    public static void WriteWarningsToStandardError(LibbpfLogLevel level, string message)
    {
        if (level == LibbpfLogLevel.Warning)
            Console.Error.Write(message);
    }

    private static void Append(LibbpfLogLevel level, string message)
    {
        if (level <= RetainLevel)
        {
            lock (s_lock)
            {
                s_tail.Append(message);
                s_totalWritten += message.Length;
                if (s_tail.Length > RetainedCharacters)
                    s_tail.Remove(0, s_tail.Length - RetainedCharacters);
            }
        }
        if (t_quiet == 0)
            Sink?.Invoke(level, message);
    }

    /// <summary>
    /// libbpf_print_fn_t. On x86_64 and arm64 a va_list parameter arrives as a pointer to
    /// the caller's va state, which is what vsnprintf takes too.
    /// </summary>
    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static int Print(int level, byte* format, nint args)
    {
        try
        {
            var logLevel = (LibbpfLogLevel)level;
            if (logLevel > RetainLevel && (Sink is null || logLevel == LibbpfLogLevel.Debug))
                return 0;

            // vsnprintf consumes the va state, so format a va_copy first and keep the
            // original for the retry with a buffer of the exact size.
            int vaSize = RuntimeInformation.ProcessArchitecture switch
            {
                Architecture.X64 => 24,   // __va_list_tag
                Architecture.Arm64 => 32, // struct __va_list
                _ => 0,
            };
            byte* copy = stackalloc byte[32];
            if (vaSize != 0)
                Buffer.MemoryCopy((void*)args, copy, 32, vaSize);

            byte* buffer = stackalloc byte[StackFormatBytes];
            int needed = Interop.LibcExtra.vsnprintf(buffer, StackFormatBytes, format, vaSize != 0 ? (nint)copy : args);
            if (needed < 0)
                return 0;
            if (needed < StackFormatBytes || vaSize == 0)
            {
                Append(logLevel, Encoding.UTF8.GetString(buffer, Math.Min(needed, StackFormatBytes - 1)));
                return needed;
            }

            byte* large = (byte*)NativeMemory.Alloc((nuint)needed + 1);
            try
            {
                int written = Interop.LibcExtra.vsnprintf(large, (nuint)needed + 1, format, args);
                Append(logLevel, Encoding.UTF8.GetString(large, Math.Min(written, needed)));
            }
            finally
            {
                NativeMemory.Free(large);
            }
            return needed;
        }
        catch
        {
            // An exception must not unwind into libbpf's C frames.
            return 0;
        }
    }
}
