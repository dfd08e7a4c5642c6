using SharpFuzz;

namespace Microseg.Fuzz;

/// <summary>
/// The fuzzing harness: <c>Microseg.Fuzz TARGET</c> serves afl-fuzz (SharpFuzz's out-of-process
/// fork server, which outlives a stack overflow in the target and keeps the input);
/// <c>Microseg.Fuzz TARGET FILE...</c> runs the target once per file and says what each gave, to
/// reproduce and triage what afl found.
/// </summary>
public static class Program
{
    private const string Usage = "usage: Microseg.Fuzz policy|settings [FILE...]";

    public static int Main(string[] args)
    {
        Func<byte[], string>? target = args.FirstOrDefault() switch
        {
            "policy" => PolicyTarget.Run,
            "settings" => SettingsTarget.Run,
            _ => null,
        };
        if (target is null)
        {
            Console.Error.WriteLine(Usage);
            return 2;
        }

        if (args.Length == 1)
        {
            // Nothing is caught here: an exception that escapes the target is what afl must see.
            Fuzzer.OutOfProcess.Run(stream => target(ReadAll(stream)));
            return 0;
        }

        // Replay: one line per file, a crash named by its exception and the frame that threw, so
        // many inputs of one crash class read as one (a stack overflow still ends the process).
        GiveInstrumentationAMap();
        int crashes = 0;
        foreach (string file in args.Skip(1))
        {
            try
            {
                Console.WriteLine($"{file}: {FirstLine(target(File.ReadAllBytes(file)))}");
            }
            catch (Exception e)
            {
                crashes++;
                Console.WriteLine($"{file}: CRASH {e.GetType().Name} {ThrowingFrame(e)}: {FirstLine(e.Message)}");
            }
        }

        return crashes == 0 ? 0 : 1;
    }

    // Instrumented code (artifacts/fuzz/publish) writes each branch it takes to afl's shared
    // memory; without afl, SharpFuzz's Run sets up a stand-in, but a replay calls the target
    // directly, so it gives the trace a map of afl's size (2^16 bytes) of its own.
    private static unsafe void GiveInstrumentationAMap()
    {
        if (SharpFuzz.Common.Trace.SharedMem == null)
        {
            SharpFuzz.Common.Trace.SharedMem = (byte*)System.Runtime.InteropServices.NativeMemory.AllocZeroed(1 << 16);
        }
    }

    private static string ThrowingFrame(Exception e)
    {
        string frame = e.StackTrace?.Split('\n').FirstOrDefault(l => l.Contains(" Microseg.", StringComparison.Ordinal))?.Trim() ?? "?";
        int source = frame.IndexOf(" in ", StringComparison.Ordinal);
        return source < 0 ? frame : frame[..source];
    }

    private static byte[] ReadAll(Stream stream)
    {
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }

    private static string FirstLine(string text)
    {
        int end = text.IndexOf('\n');
        string line = end < 0 ? text : text[..end];
        return line.Length > 200 ? line[..200] + "…" : line;
    }
}
