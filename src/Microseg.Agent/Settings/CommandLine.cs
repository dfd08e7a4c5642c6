namespace Microseg.Agent.Settings;

/// <summary>
/// microsegd's command line: the settings file to read, overrides for any of its settings,
/// and the one-shot actions. Overrides win over the file; a repeated --interface lists several.
/// </summary>
public static class CommandLine
{
    public const string Usage = """
        Usage: microsegd [options]
          --config PATH              settings file (default /etc/microseg/microsegd.yaml)
          --interface NAME[@NETNS]   interface to attach to; repeat for several; '*' for all non-loopback
          --policy PATH              policy file (default /etc/microseg/policy.yaml)
          --metrics-address H:P      Prometheus listener (default 127.0.0.1:9469; 'none' for none)
          --flow-log PATH            append flow events as JSON lines ('-' for standard output, 'none' for none)
          --flow-log-max-size SIZE   rotate the flow log past this size (default 100MiB; 'none' never)
          --flow-log-keep N          rotated flow log files kept, PATH.1 … PATH.N (default 5)
          --state-dir DIR            state directory (default /var/lib/microseg)
          --pin-dir DIR              bpffs directory for pins (default /sys/fs/bpf/microseg)
          --control-socket PATH      control API socket (default /run/microseg/microseg.sock; 'none')
          --bpf-dir DIR              eBPF objects (default /usr/lib/microseg/bpf; artifacts/bpf in a build tree)
          --xdp-mode MODE            auto, native or generic (default auto)
          --interface-poll DURATION  how often to look for new and gone interfaces (default 5s)
          --reload-debounce DURATION quiet time before a changed policy file is reloaded (default 500ms)
          --deny-event-budget N      deny events per second from all sources together (default 200); the rest summarised
          --deny-summary-interval DURATION  how often deny summaries are written (default 10s)
          --uninstall                detach and remove everything microsegd created, then exit
          --help, --version
        """;

    /// <summary>What the command line asks for.</summary>
    public sealed record Parsed(AgentSettings Settings, bool Help, bool Version);

    /// <summary>
    /// Reads the settings file (the one named by --config, or the default one if it exists),
    /// then applies the command line's overrides.
    /// </summary>
    public static Parsed Parse(IReadOnlyList<string> args, Func<string, string?>? readFile = null)
    {
        readFile ??= ReadIfExists;
        var options = Split(args);
        if (options.Any(o => o.Name is "--help" or "-h"))
            return new Parsed(new AgentSettings(), Help: true, Version: false);
        if (options.Any(o => o.Name == "--version"))
            return new Parsed(new AgentSettings(), Help: false, Version: true);

        var configPath = options.Where(o => o.Name == "--config").Select(o => o.Value).LastOrDefault();
        var settings = new AgentSettings();
        var text = readFile(configPath ?? AgentSettings.DefaultConfigPath);
        if (text is null && configPath is not null)
            throw new SettingsException($"the settings file {configPath} does not exist");
        if (text is not null)
            settings = SettingsFile.Apply(settings, configPath ?? AgentSettings.DefaultConfigPath, text);

        var interfaces = new List<InterfaceSpec>();
        foreach (var (name, value) in options)
        {
            settings = name switch
            {
                "--config" => settings,
                "--interface" => settings,
                "--policy" => settings with { PolicyPath = value! },
                "--metrics-address" => settings with { MetricsAddress = SettingsFile.Optional(value!) },
                "--flow-log" => settings with { FlowLogPath = SettingsFile.Optional(value!) },
                "--flow-log-max-size" => settings with
                {
                    FlowLogMaxBytes = SettingsFile.ParseSize(value!) ?? throw new SettingsException($"--flow-log-max-size takes a size such as 100MiB, 512KiB or 1048576 (bytes), or none, not '{value}'"),
                },
                "--flow-log-keep" => settings with
                {
                    FlowLogKeep = SettingsFile.ParseCount(value!) ?? throw new SettingsException($"--flow-log-keep takes a whole number of files from 0 to 1000, not '{value}'"),
                },
                "--state-dir" => settings with { StateDirectory = value! },
                "--pin-dir" => settings with { PinDirectory = value! },
                "--control-socket" => settings with { ControlSocketPath = SettingsFile.Optional(value!) },
                "--bpf-dir" => settings with { BpfObjectDirectory = value! },
                "--xdp-mode" => settings with
                {
                    XdpMode = SettingsFile.ParseXdpMode(value!) ?? throw new SettingsException($"--xdp-mode takes auto, native or generic, not '{value}'"),
                },
                "--interface-poll" => settings with { InterfacePollInterval = Duration(name, value!) },
                "--reload-debounce" => settings with { ReloadDebounce = Duration(name, value!) },
                "--deny-event-budget" => settings with
                {
                    DenyEventBudget = SettingsFile.ParseBudget(value!) ?? throw new SettingsException($"--deny-event-budget takes a whole number of events per second from 1 to 1000000, not '{value}'"),
                },
                "--deny-summary-interval" => settings with { DenySummaryInterval = Duration(name, value!) },
                "--uninstall" => settings with { Uninstall = true },
                _ => throw Unknown(name),
            };
            if (name == "--interface")
            {
                foreach (var part in value!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                    interfaces.Add(InterfaceSpec.TryParse(part, out var problem) ?? throw new SettingsException($"--interface {problem}"));
            }
        }
        if (interfaces.Count > 0)
            settings = settings with { Interfaces = interfaces };
        return new Parsed(settings, Help: false, Version: false);
    }

    // The options are read from the usage text, the one list of them: "--name VALUE  what" takes
    // a value, "--name  what" (and "--help, --version") does not.
    private static readonly (HashSet<string> Valued, HashSet<string> Flags) s_options = OptionsOf(Usage);

    private static (HashSet<string> Valued, HashSet<string> Flags) OptionsOf(string usage)
    {
        HashSet<string> valued = [], flags = ["-h"];
        foreach (var line in usage.Split('\n'))
        {
            var words = line.Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (words.Length == 0 || !words[0].StartsWith("--", StringComparison.Ordinal))
                continue;
            if (words[0].EndsWith(','))
                flags.UnionWith(words.Where(w => w.StartsWith("--", StringComparison.Ordinal)).Select(w => w.TrimEnd(',')));
            else if (words.Length > 1 && char.IsUpper(words[1][0]))
                valued.Add(words[0]);
            else
                flags.Add(words[0]);
        }
        return (valued, flags);
    }

    /// <summary>One sentence naming an option microsegd does not have, and those it has.</summary>
    private static SettingsException Unknown(string name) =>
        new($"unknown option {name}; the options are {string.Join(", ", s_options.Valued.Concat(s_options.Flags).Where(o => o.StartsWith("--", StringComparison.Ordinal)))} (see microsegd --help)");

    private static List<(string Name, string? Value)> Split(IReadOnlyList<string> args)
    {
        var result = new List<(string, string?)>();
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (!arg.StartsWith('-'))
                throw new SettingsException($"unexpected argument '{arg}' (microsegd takes options only; see --help)");
            var eq = arg.IndexOf('=');
            var name = eq > 0 ? arg[..eq] : arg;
            if (!s_options.Valued.Contains(name) && !s_options.Flags.Contains(name))
                throw Unknown(name);
            if (s_options.Flags.Contains(name))
            {
                if (eq > 0)
                    throw new SettingsException($"{name} takes no value");
                result.Add((name, null));
                continue;
            }
            if (eq > 0)
                result.Add((name, arg[(eq + 1)..]));
            else if (i + 1 < args.Count)
                result.Add((name, args[++i]));
            else
                throw new SettingsException($"{name} needs a value (see microsegd --help)");
        }
        return result;
    }

    private static TimeSpan Duration(string option, string value) =>
        SettingsFile.ParseDuration(value) ?? throw new SettingsException($"{option} takes a positive duration such as 500ms, 5s or 1m, not '{value}'");

    private static string? ReadIfExists(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new SettingsException($"the settings file {path} cannot be read: {e.Message}");
        }
    }
}
