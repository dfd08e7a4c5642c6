using Microseg.Flows.Discovery;
using Microseg.Flows.Records;
using Microseg.Policy;
using Microseg.Policy.Model;

namespace Microseg.Cli;

/// <summary>
/// What the flow commands read: the running daemon's flows or graph over its control API (the
/// default), or a flow file (JSON lines of flow records) or a saved discovery graph; and policy
/// files (checked first; an invalid one is reported like policy check does).
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

    /// <summary>The records of <paramref name="path"/>, or the daemon's on <paramref name="socketPath"/> when it is null; null after one sentence.</summary>
    public static List<FlowRecord>? Records(string? path, string socketPath, TextWriter error) =>
        path is null ? Daemon.DaemonFlows.Records(socketPath, error) : Records(path, error);

    /// <summary>
    /// The graph saved at <paramref name="graphPath"/>, or one built from the flows at <paramref name="flowsPath"/>, or,
    /// when neither is given, the daemon's on <paramref name="socketPath"/> (built from its recent flows with
    /// <paramref name="worldByCidr"/>); null after one sentence.
    /// </summary>
    public static DiscoveryGraph? Graph(string? graphPath, string? flowsPath, bool worldByCidr, TextWriter error, string socketPath)
    {
        if (graphPath is not null && flowsPath is not null)
        {
            error.WriteLine("microsegctl: give at most one of --graph FILE (a saved discovery graph) and --flows FILE (JSON lines of flow records).");
            return null;
        }

        if (graphPath is null && flowsPath is null)
        {
            if (!worldByCidr)
            {
                return Daemon.DaemonFlows.Graph(socketPath, error);
            }

            List<FlowRecord>? recent = Daemon.DaemonFlows.Records(socketPath, error);
            return recent is null ? null : DiscoveryGraph.Of(recent, DiscoveryOptions.WorldByCidr);
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
        Description = required
            ? "A flow file: JSON lines of flow records (see docs/flows.md)."
            : "A flow file: JSON lines of flow records (see docs/flows.md); without it, the running microsegd's recent flows.",
        Required = required,
    };

    /// <summary>"--from-daemon": read the running daemon even where a file could be given (the default when none is).</summary>
    public static System.CommandLine.Option<bool> FromDaemon() => new("--from-daemon")
    {
        Description = "Read the running microsegd's flows over its control socket (the default when no --flows or --graph is given).",
    };

    /// <summary>False after one sentence when --from-daemon is given with a file.</summary>
    public static bool FromDaemonAlone(bool fromDaemon, string? flowsPath, string? graphPath, TextWriter error)
    {
        if (fromDaemon && (flowsPath is not null || graphPath is not null))
        {
            error.WriteLine("microsegctl: --from-daemon reads the daemon's flows: give it without --flows or --graph.");
            return false;
        }

        return true;
    }
}
