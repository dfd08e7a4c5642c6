using Microseg.Agent.Settings;
using Microseg.Bpf;
using Microseg.Datapath.Attaching;
using Microsoft.Extensions.Logging;

namespace Microseg.Agent.Lifecycle;

/// <summary>
/// microsegd --uninstall: takes the programs off every interface the state file or the
/// settings name (only programs that are microseg's, and the clsact qdisc only where microseg
/// created it), unpins every map and program, and removes the state file and control socket.
/// The flow log is the administrator's data and stays.
/// </summary>
public static class Uninstaller
{
    /// <summary>Returns the problems met (each a sentence); empty when everything was removed.</summary>
    public static List<string> Run(AgentSettings settings, ILogger logger)
    {
        var problems = new List<string>();
        var store = new AgentStateStore(settings.StateDirectory);
        var state = store.Load();
        var targets = state.Interfaces
            .Select(i => (i.Name, i.Namespace, i.CreatedClsact))
            .Concat(InterfaceResolver.Resolve(settings.Interfaces).Select(p => (p.Name, p.Namespace, CreatedClsact: false)))
            .DistinctBy(t => (t.Name, t.Namespace))
            .ToList();

        foreach (var (name, ns, createdClsact) in targets)
        {
            var display = ns is null ? name : $"{name}@{ns}";
            if (ns is not null && !File.Exists(Path.Combine(NetworkNamespace.NamedNamespaceDirectory, ns)))
                continue; // the namespace, and the interface with it, is gone
            try
            {
                var removed = InterfaceResolver.InNamespace(ns, () => Detach(name, createdClsact));
                if (removed is not null)
                    logger.LogInformation("{Interface}: {Removed}.", display, removed);
            }
            catch (Exception e) when (e is BpfException or InvalidOperationException)
            {
                problems.Add($"{display}: {e.Message}");
            }
        }

        var pins = new PinLayout(settings.PinDirectory);
        foreach (var pin in pins.All)
        {
            try
            {
                BpfPin.Unpin(pin);
            }
            catch (BpfException e)
            {
                problems.Add(e.Message);
            }
        }
        if (Directory.Exists(pins.Directory) && !Directory.EnumerateFileSystemEntries(pins.Directory).Any())
            Directory.Delete(pins.Directory);
        store.Delete();
        if (settings.ControlSocketPath is { } socket && File.Exists(socket))
            File.Delete(socket);
        logger.LogInformation("Removed the pins in {Pins} and the state in {State}.", pins.Directory, settings.StateDirectory);
        return problems;
    }

    /// <summary>Inside the interface's namespace: what was removed, or null when nothing of ours was there.</summary>
    private static string? Detach(string name, bool createdClsact)
    {
        int ifindex;
        try
        {
            ifindex = NetworkNamespace.InterfaceIndex(name);
        }
        catch (BpfException)
        {
            return null; // gone: its programs went with it
        }
        return InterfaceAttacher.Detach(ifindex, createdClsact);
    }
}
