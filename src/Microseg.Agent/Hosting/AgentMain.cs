using System.Net;
using Microseg.Agent.Attribution;
using Microseg.Agent.Control;
using Microseg.Agent.Events;
using Microseg.Agent.Flows;
using Microseg.Agent.Lifecycle;
using Microseg.Agent.Metrics;
using Microseg.Agent.Notify;
using Microseg.Agent.Reload;
using Microseg.Agent.Settings;
using Microseg.Agent.Status;
using Microseg.Datapath.Loading;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;

namespace Microseg.Agent;

/// <summary>
/// Builds and runs the daemon: settings, startup checks, the datapath (adopted or loaded,
/// attached, the policy applied) and only then the host, whose start sends READY=1.
/// </summary>
internal static class AgentMain
{
    public static int Run(string[] args)
    {
        CommandLine.Parsed parsed;
        try
        {
            parsed = CommandLine.Parse(args);
            if (!parsed.Help && !parsed.Version)
                _ = MetricsEndpoint(parsed.Settings.MetricsAddress);
        }
        catch (SettingsException e)
        {
            Console.Error.WriteLine($"microsegd: {e.Message}");
            return (int)Hosting.ExitCode.BadSettings;
        }
        if (parsed.Help)
        {
            Console.Out.WriteLine(CommandLine.Usage);
            return 0;
        }
        if (parsed.Version)
        {
            Console.Out.WriteLine($"microsegd {typeof(AgentMain).Assembly.GetName().Version}");
            return 0;
        }

        using var loggerFactory = LoggerFactory.Create(ConfigureLogging);
        var logger = loggerFactory.CreateLogger("microsegd");
        // libbpf's warnings (a verifier log, a refused attach) go to the same log, one line each.
        Microseg.Bpf.LibbpfLog.Sink = (level, text) =>
        {
            if (level == Microseg.Bpf.LibbpfLogLevel.Warning && text.Trim() is { Length: > 0 } line)
                logger.LogWarning("libbpf: {Message}", line);
        };
        try
        {
            return Run(parsed.Settings, loggerFactory, logger);
        }
        catch (Hosting.StartupException e)
        {
            logger.LogCritical("{Reason}", e.Message);
            return (int)e.ExitCode;
        }
        catch (Exception e)
        {
            logger.LogCritical("microsegd failed: {Error}", e.Message);
            return (int)Hosting.ExitCode.Failure;
        }
    }

    private static int Run(AgentSettings settings, ILoggerFactory loggerFactory, ILogger logger)
    {
        Hosting.StartupChecks.Run(new Hosting.SystemProbe(), settings.PinDirectory, m => logger.LogInformation("{Message}", m));
        if (settings.Uninstall)
        {
            var problems = Uninstaller.Run(settings, logger);
            foreach (var problem in problems)
                logger.LogError("{Problem}", problem);
            return problems.Count == 0 ? 0 : (int)Hosting.ExitCode.Failure;
        }

        var store = new AgentStateStore(settings.StateDirectory);
        var state = store.Load();
        var pins = new PinLayout(settings.PinDirectory);
        using var session = new DatapathStarter(settings.BpfObjectDirectory, pins, logger)
        {
            Tuning = DatapathTuning.Default with { EventBudgetPerSecond = settings.DenyEventBudget, EventBudgetBurst = settings.DenyEventBudget * 5 },
        }.Start(state);

        var interfaces = new InterfaceManager(session, settings.Interfaces,
            new InterfaceAttacher(session, settings.XdpMode, logger), store, logger);
        var reloader = new PolicyReloader(settings.PolicyPath, session, store, logger,
            () => InterfaceAddressReader.Read(interfaces.Attached));
        var outcome = session.Provenance == DatapathProvenance.ReplacingIncompatiblePins
            ? ReplaceIncompatiblePins(settings, session, reloader, logger)
            : null;
        // What an earlier run attached (clsact ownership, counter slots) holds whatever the maps.
        if (session.AdoptedState || outcome is not null)
            interfaces.Adopt(state.Interfaces);
        var failures = interfaces.Reconcile();
        if (failures.Count > 0)
        {
            if (!settings.Interfaces.Any(i => i.IsAll))
                throw new Hosting.StartupException(Hosting.ExitCode.AttachFailed, $"Attaching failed on {failures[0]}.");
            foreach (var failure in failures)
                logger.LogWarning("Not attached: {Failure}.", failure);
        }
        foreach (var missing in settings.Interfaces.Where(s => !s.IsAll && !interfaces.Attached.Any(a => a.Name == s.Name && a.Namespace == s.Namespace)))
            logger.LogWarning("{Interface} does not exist (yet): it is attached when it appears.", missing);

        outcome ??= reloader.StartAsync(CancellationToken.None).GetAwaiter().GetResult();
        foreach (var warning in reloader.AddressWarnings)
            logger.LogWarning("{Warning}.", warning);
        if (!outcome.Applied)
        {
            if (!session.AdoptedState || session.Writer.ActiveGeneration == 0)
                throw new Hosting.StartupException(Hosting.ExitCode.PolicyInvalid,
                    $"The policy file {settings.PolicyPath} is invalid and no earlier policy is enforced to keep: {outcome.Errors.FirstOrDefault()}");
            logger.LogWarning("Keeping the policy the maps already enforce (generation {Generation}) until {Path} is fixed.",
                session.Writer.ActiveGeneration, settings.PolicyPath);
        }

        using var flowLog = settings.FlowLogPath is { } flowLogPath
            ? new FlowLogWriter(flowLogPath, settings.FlowLogMaxBytes, settings.FlowLogKeep, loggerFactory.CreateLogger<FlowLogWriter>())
            : null;
        using var attributor = FlowAttributor.Create(loggerFactory.CreateLogger<FlowAttributor>(), ifindex => NamespacesOf(interfaces, ifindex));
        var flows = new FlowStore(Path.Combine(settings.StateDirectory, FlowStore.GraphFileName), () => reloader.Live, flowLog,
            loggerFactory.CreateLogger<FlowStore>(), attributor: attributor);
        var app = BuildHost(settings, loggerFactory, session, interfaces, reloader, flows);
        app.Run();
        return 0;
    }

    /// <summary>
    /// New maps in place of pinned ones of another layout: the policy is written into them
    /// first, then they and the programs replace the old pins, and only then are the programs
    /// attached (swapped atomically): the old programs enforce the old maps until that swap.
    /// Without a valid policy nothing is replaced, and startup stops with its own exit code.
    /// </summary>
    private static ReloadOutcome ReplaceIncompatiblePins(AgentSettings settings, DatapathSession session, PolicyReloader reloader, ILogger logger)
    {
        var outcome = reloader.StartAsync(CancellationToken.None).GetAwaiter().GetResult();
        if (!outcome.Applied)
            throw new Hosting.StartupException(Hosting.ExitCode.PinnedStateIncompatible,
                $"The maps pinned in {settings.PinDirectory} are of another layout ({string.Join("; ", session.PinMismatches)}), and the policy file " +
                $"{settings.PolicyPath} is invalid, so there is no policy to write into new ones: nothing was replaced, and the programs attached " +
                $"keep enforcing the old maps. Fix the policy file and start again: {outcome.Errors.FirstOrDefault()}");
        session.ReplacePins();
        logger.LogInformation("The new maps hold the policy (generation {Generation}) and replace the old pins in {Pins}.",
            session.Writer.ActiveGeneration, settings.PinDirectory);
        return outcome;
    }

    /// <summary>
    /// The network namespaces an interface index may be in (the daemon's own is null): those of the
    /// attached interfaces with that index (namespaces number their interfaces independently), else its own.
    /// </summary>
    private static IReadOnlyList<string?> NamespacesOf(InterfaceManager interfaces, uint ifindex)
    {
        var found = interfaces.Attached.Where(i => (uint)i.Ifindex == ifindex).Select(i => i.Namespace).Distinct().ToList();
        return found.Count == 0 ? [null] : found;
    }

    private static WebApplication BuildHost(AgentSettings settings, ILoggerFactory loggerFactory, DatapathSession session,
        InterfaceManager interfaces, PolicyReloader reloader, FlowStore flows)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [] });
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton(loggerFactory);
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(5));
        builder.Services.AddSingleton(settings);
        builder.Services.AddSingleton(session);
        builder.Services.AddSingleton(interfaces);
        builder.Services.AddSingleton(reloader);
        builder.Services.AddSingleton<ISystemdNotifier>(sp => new SystemdNotifier(sp.GetRequiredService<ILogger<SystemdNotifier>>()));
        builder.Services.AddSingleton(flows);
        // Hosted services stop in reverse order: the drain stops first, then the graph is saved.
        builder.Services.AddHostedService(_ => new GraphSaver(flows));
        builder.Services.AddSingleton(sp => new EventDrain(session.Maps, flows, sp.GetRequiredService<ILogger<EventDrain>>()));
        builder.Services.AddHostedService(sp => sp.GetRequiredService<EventDrain>());
        // Registered after the event drain, so it stops first: its last drain is written before the flow log's last flush.
        builder.Services.AddSingleton(sp => new EventSummaryDrain(session.Maps, flows, settings.DenySummaryInterval, sp.GetRequiredService<ILogger<EventSummaryDrain>>()));
        builder.Services.AddHostedService(sp => sp.GetRequiredService<EventSummaryDrain>());
        builder.Services.AddSingleton<IAgentStatus>(sp => new AgentStatus(session, interfaces, reloader, sp.GetRequiredService<EventDrain>(), sp.GetService<Flows.FlowStore>(),
            summaries: sp.GetRequiredService<EventSummaryDrain>()));
        builder.Services.AddHostedService<WatchdogService>();
        builder.Services.AddHostedService<Hosting.AgentService>();

        builder.Services.AddMicrosegMetrics();
        if (settings.ControlSocketPath is { } socket)
            builder.AddMicrosegControlSocket(socket);
        if (MetricsEndpoint(settings.MetricsAddress) is { } metrics)
            builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(metrics));
        var app = builder.Build();
        MapEndpoints(app);
        return app;
    }

    /// <summary>The control API (answering on the unix socket only) and the metrics, from Control/ and Metrics/.</summary>
    private static void MapEndpoints(WebApplication app)
    {
        app.MapMicrosegControlApi();
        app.MapMicrosegMetrics();
    }

    /// <summary>host:port as an endpoint; throws a one-sentence <see cref="SettingsException"/> when it is not one.</summary>
    internal static IPEndPoint? MetricsEndpoint(string? address)
    {
        if (address is null)
            return null;
        var hasPort = address.StartsWith('[') ? address.Contains("]:", StringComparison.Ordinal) : address.Count(c => c == ':') == 1;
        if (hasPort && IPEndPoint.TryParse(address, out var endpoint))
            return endpoint;
        if (address.StartsWith("localhost:", StringComparison.Ordinal) && int.TryParse(address["localhost:".Length..], out var port) && port is >= 0 and <= 65535)
            return new IPEndPoint(IPAddress.Loopback, port);
        throw new SettingsException($"the metrics address '{address}' is not HOST:PORT with an IP address (such as 127.0.0.1:9469 or [::1]:9469), nor 'none'");
    }

    private static void ConfigureLogging(ILoggingBuilder logging)
    {
        logging.SetMinimumLevel(LogLevel.Information);
        logging.AddFilter("Microsoft", LogLevel.Warning);
        logging.AddConsole(o =>
        {
            o.FormatterName = Hosting.JournalConsoleFormatter.FormatterName;
            o.LogToStandardErrorThreshold = LogLevel.Trace;
        });
        // Registered directly: AddConsoleFormatter also binds its options from configuration by
        // reflection, which Native AOT cannot keep, and this factory has no configuration to bind.
        logging.Services.TryAddEnumerable(ServiceDescriptor.Singleton<ConsoleFormatter, Hosting.JournalConsoleFormatter>());
    }
}
