using System.Runtime.InteropServices;
using Microseg.Agent.Lifecycle;
using Microseg.Agent.Notify;
using Microseg.Agent.Reload;
using Microseg.Agent.Settings;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Systemd;
using Microsoft.Extensions.Logging;

namespace Microseg.Agent.Hosting;

/// <summary>
/// The running daemon's duties once the datapath is up: READY=1 with a STATUS= line when the
/// host has started (the datapath was attached and the policy applied before the host was
/// built; under systemd the package's lifetime sends its own bare READY=1 at the same moment),
/// reload on SIGHUP (RELOADING=1, then READY=1) and on a change of the policy file
/// (debounced), interfaces looked for every few seconds, and STOPPING=1 on the way out. Stopping
/// leaves the programs attached and the maps pinned: enforcement goes on without the daemon.
/// </summary>
public sealed class AgentService(
    AgentSettings settings,
    ISystemdNotifier notifier,
    PolicyReloader reloader,
    InterfaceManager interfaces,
    DatapathSession session,
    IHostApplicationLifetime lifetime,
    ILogger<AgentService> logger) : BackgroundService
{
    private PosixSignalRegistration? _sighup;
    private FileSystemWatcher? _watcher;
    private Timer? _debounce;
    private string _lastInterfaceFailures = "";

    public override Task StartAsync(CancellationToken cancellationToken)
    {
        _sighup = PosixSignalRegistration.Create(PosixSignal.SIGHUP, context =>
        {
            context.Cancel = true; // the default for SIGHUP is to terminate
            _ = ReloadAsync("SIGHUP", announce: true);
        });
        _debounce = new Timer(_ => _ = ReloadAsync("a change to the policy file", announce: false, onlyIfChanged: true));
        _watcher = WatchPolicyFile();
        lifetime.ApplicationStarted.Register(() =>
        {
            notifier.Notify(NotifyMessages.Ready(StatusLine()));
            logger.LogInformation("Ready: {Status}.", StatusLine());
        });
        return base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(settings.InterfacePollInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                var failures = string.Join("; ", interfaces.Reconcile());
                if (failures != _lastInterfaceFailures && failures.Length > 0)
                    logger.LogError("Could not attach: {Failures}.", failures);
                _lastInterfaceFailures = failures;
                await RefreshInterfacesAsync(stoppingToken);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    // Addresses come and go on attached interfaces: status warns about unlisted ones, and an
    // interface whose owner changed gets it written.
    private async Task RefreshInterfacesAsync(CancellationToken stoppingToken)
    {
        var before = reloader.AddressWarnings;
        try
        {
            await reloader.RefreshInterfacesAsync(stoppingToken);
        }
        catch (OperationCanceledException)
        {
            throw;
        }
        catch (Exception e)
        {
            logger.LogError("Writing the interfaces' owners failed: {Error}", e.Message);
            return;
        }
        foreach (var warning in reloader.AddressWarnings.Except(before))
            logger.LogWarning("{Warning}.", warning);
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        notifier.Notify(NotifyMessages.Stopping("stopping; the programs stay attached and keep enforcing the last policy"));
        logger.LogInformation("Stopping: the programs stay attached and the maps pinned, enforcing generation {Generation}.",
            CurrentGeneration());
        _sighup?.Dispose();
        _watcher?.Dispose();
        _debounce?.Dispose();
        await base.StopAsync(cancellationToken);
    }

    /// <summary>The one-line STATUS= summary.</summary>
    public string StatusLine()
    {
        var stats = reloader.Stats;
        var nics = interfaces.Attached;
        var line = reloader.Live is null
            ? "no policy applied"
            : $"enforcing generation {CurrentGeneration()} of {reloader.PolicyPath}";
        line += $" on {nics.Count} interface{(nics.Count == 1 ? "" : "s")}";
        if (stats.Failed > 0)
            line += $"; {stats.Failed} reload{(stats.Failed == 1 ? "" : "s")} refused";
        return line;
    }

    private uint CurrentGeneration() => session.Writer.ActiveGeneration;

    private async Task ReloadAsync(string why, bool announce, bool onlyIfChanged = false)
    {
        if (onlyIfChanged && !reloader.FilesChanged())
            return;
        if (announce)
            notifier.Notify(NotifyMessages.Reloading($"reloading {reloader.PolicyPath} after {why}"));
        logger.LogInformation("Reloading {Path} after {Why}.", reloader.PolicyPath, why);
        try
        {
            await reloader.ReloadAsync(lifetime.ApplicationStopping);
        }
        catch (OperationCanceledException)
        {
            return;
        }
        catch (Exception e)
        {
            logger.LogError("Reloading {Path} failed: {Error}", reloader.PolicyPath, e.Message);
        }
        notifier.Notify(announce ? NotifyMessages.Ready(StatusLine()) : NotifyMessages.Status(StatusLine()));
    }

    private FileSystemWatcher? WatchPolicyFile()
    {
        var full = Path.GetFullPath(reloader.PolicyPath);
        var directory = Path.GetDirectoryName(full);
        if (directory is null || !Directory.Exists(directory))
        {
            logger.LogWarning("{Directory} does not exist: changes to the policy file are not watched (SIGHUP still reloads).", directory);
            return null;
        }
        // The directory, not the file: editors and config managers replace a file by renaming
        // a new one over it, and included files live beside or below it.
        var watcher = new FileSystemWatcher(directory) { IncludeSubdirectories = true, NotifyFilter = NotifyFilters.FileName | NotifyFilters.DirectoryName | NotifyFilters.LastWrite | NotifyFilters.Size };
        FileSystemEventHandler changed = (_, e) =>
        {
            if (IsPolicyFile(e.FullPath))
                _debounce?.Change(settings.ReloadDebounce, Timeout.InfiniteTimeSpan);
        };
        watcher.Changed += changed;
        watcher.Created += changed;
        watcher.Deleted += changed;
        watcher.Renamed += (_, e) => changed(watcher, e);
        watcher.EnableRaisingEvents = true;
        return watcher;
    }

    /// <summary>The policy file, a file it includes, or a YAML file that may be a new include: not our own state or logs beside it.</summary>
    private bool IsPolicyFile(string path)
    {
        if (Path.GetFileName(path).StartsWith('.'))
            return false;
        if (path == Path.GetFullPath(reloader.PolicyPath) || (reloader.LiveDocument?.Files.Any(f => Path.GetFullPath(f) == path) ?? false))
            return true;
        return Path.GetExtension(path) is ".yaml" or ".yml";
    }

    public override void Dispose()
    {
        _sighup?.Dispose();
        _watcher?.Dispose();
        _debounce?.Dispose();
        base.Dispose();
    }
}
