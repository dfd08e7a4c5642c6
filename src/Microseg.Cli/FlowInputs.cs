using Microseg.Flows.Discovery;
using Microseg.Flows.Records;
using Microseg.Policy;
using Microseg.Policy.Model;

namespace Microseg.Cli;

/// <summary>
/// What the flow commands read until the daemon serves them over its API: a flow file (JSON
/// lines of flow records) or a saved discovery graph, and policy files (checked first; an invalid
/// one is reported like policy check does).
/// </summary>
internal static class FlowInputs
{
    /// <summary>The records of <paramref name="path"/>, or null after one sentence on <paramref name="error"/>.</summary>
    public static List<FlowRecord>? Records(string path, TextWriter error)
    {
        try
        {
            return FlowLog.Read(path);
        }
        catch (FlowDataException e)
        {
            error.WriteLine($"microsegctl: {e.Message}.");
            return null;
        }
    }

    /// <summary>The graph saved at <paramref name="graphPath"/>, or one built from the flows at <paramref name="flowsPath"/>; null after one sentence.</summary>
    public static DiscoveryGraph? Graph(string? graphPath, string? flowsPath, bool worldByCidr, TextWriter error)
    {
        if ((graphPath is null) == (flowsPath is null))
        {
            error.WriteLine("microsegctl: give exactly one of --graph FILE (a saved discovery graph) and --flows FILE (JSON lines of flow records).");
            return null;
        }

        if (flowsPath is not null)
        {
            List<FlowRecord>? records = Records(flowsPath, error);
            return records is null ? null : DiscoveryGraph.Of(records, worldByCidr ? DiscoveryOptions.WorldByCidr : null);
        }

        try
        {
            return DiscoveryGraph.Load(graphPath!);
        }
        catch (FlowDataException e)
        {
            error.WriteLine($"microsegctl: {e.Message}.");
            return null;
        }
    }

    /// <summary>The valid policy at <paramref name="path"/>; otherwise null and the exit code (2 unreadable, 1 invalid, its diagnostics printed).</summary>
    public static PolicyDocument? Policy(string path, TextWriter output, TextWriter error, out int exitCode)
    {
        PolicyCheckResult result = PolicyChecker.CheckFile(path);
        if (result.ReadFailure is not null)
        {
            error.WriteLine($"microsegctl: {result.ReadFailure}");
            exitCode = Program.Failure;
            return null;
        }

        if (!result.IsValid)
        {
            CheckOutput.Text(path, result, output);
            exitCode = Program.Invalid;
            return null;
        }

        exitCode = Program.Success;
        return result.Document;
    }

    /// <summary>Writes <paramref name="text"/> to <paramref name="path"/> (atomically), or to <paramref name="output"/> when null; false after one sentence.</summary>
    public static bool Emit(string text, string? path, TextWriter output, TextWriter error)
    {
        if (path is null)
        {
            output.Write(text);
            return true;
        }

        try
        {
            AtomicFile.Write(path, stream => stream.Write(System.Text.Encoding.UTF8.GetBytes(text)));
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            error.WriteLine($"microsegctl: cannot write {path}: {e.Message.Split('\n')[0].TrimEnd('.')}.");
            return false;
        }
    }

    /// <summary>A "--format" option accepting <paramref name="formats"/>, the first being the default.</summary>
    public static System.CommandLine.Option<string> Format(params string[] formats)
    {
        var format = new System.CommandLine.Option<string>("--format")
        {
            Description = $"Output format: {string.Join(", ", formats)}.",
            DefaultValueFactory = _ => formats[0],
        };
        format.AcceptOnlyFromAmong(formats);
        return format;
    }

    public static System.CommandLine.Option<string?> Flows(bool required) => new("--flows")
    {
        Description = "A flow file: JSON lines of flow records (see docs/flows.md).",
        Required = required,
    };
}
