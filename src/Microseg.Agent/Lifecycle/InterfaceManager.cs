using Microseg.Agent.Settings;
using Microseg.Bpf;
using Microseg.Datapath.Abi;
using Microseg.Datapath.Attaching;
using Microsoft.Extensions.Logging;

namespace Microseg.Agent.Lifecycle;

/// <summary>
/// Keeps the programs on every interface the settings name: attaches new ones, forgets gone
/// ones (their programs went with them), and records the lot in the state file. Thread-safe.
/// </summary>
public sealed class InterfaceManager(
    DatapathSession session,
    IReadOnlyList<InterfaceSpec> specs,
    InterfaceAttacher attacher,
    AgentStateStore store,
    ILogger logger)
{
    private readonly Lock _lock = new();
    private readonly Dictionary<(string? Namespace, string Name), AttachedInterface> _attached = [];

    /// <summary>The interfaces attached now.</summary>
    public IReadOnlyList<AttachedInterface> Attached
    {
        get
        {
            lock (_lock)
                return [.. _attached.Values];
        }
    }

    /// <summary>Takes over what an earlier run recorded (clsact ownership and counter slots).</summary>
    public void Adopt(IEnumerable<AttachedInterface> previous)
    {
        lock (_lock)
        {
            foreach (var i in previous)
                _attached[(i.Namespace, i.Name)] = i;
        }
    }

    /// <summary>
    /// Attaches to every configured interface present and forgets the ones gone. Returns the
    /// failures as sentences (an interface that failed is tried again on the next call).
    /// </summary>
    public List<string> Reconcile()
    {
        var failures = new List<string>();
        lock (_lock)
        {
            var before = _attached.Values.ToHashSet();
            var present = InterfaceResolver.Resolve(specs);
            var presentKeys = present.ToDictionary(p => (p.Namespace, p.Name));
            foreach (var (key, old) in _attached.ToList())
            {
                if (!presentKeys.TryGetValue(key, out var now) || now.Ifindex != old.Ifindex)
                    Forget(old, now.Name is null ? "is gone" : $"was re-created (ifindex {old.Ifindex} → {now.Ifindex})");
            }
            foreach (var target in present)
            {
                var known = _attached.GetValueOrDefault((target.Namespace, target.Name));
                try
                {
                    var slot = known?.Slot ?? FreeSlot();
                    var result = InterfaceResolver.InNamespace(target.Namespace, () => attacher.Ensure(target.Ifindex, target.DisplayName, slot,
                        known?.CreatedClsact ?? false, m => logger.LogWarning("{Interface}: {Message}", target.DisplayName, m)));
                    var entry = new AttachedInterface(target.Name, target.Namespace, target.Ifindex,
                        InterfaceAttacher.Describe(result.XdpMode), result.CreatedClsact, slot);
                    if (known is null || !result.NothingChanged)
                        logger.LogInformation("{Interface} (ifindex {Ifindex}): {Action}.", target.DisplayName, target.Ifindex, result.Action);
                    _attached[(target.Namespace, target.Name)] = entry;
                }
                catch (Exception e) when (e is BpfException or InvalidOperationException)
                {
                    failures.Add($"{target.DisplayName}: {e.Message}");
                }
            }
            if (!before.SetEquals(_attached.Values) || !_saved)
                Save();
        }
        return failures;
    }

    /// <summary>The interface name for a verdict counter slot ("other" for slot 0 or an unknown slot).</summary>
    public string NameOfSlot(uint slot)
    {
        lock (_lock)
            return _attached.Values.FirstOrDefault(a => a.Slot == slot)?.DisplayName ?? "other";
    }

    private void Forget(AttachedInterface gone, string why)
    {
        _attached.Remove((gone.Namespace, gone.Name));
        if (!_attached.Values.Any(a => a.Ifindex == gone.Ifindex) && (uint)gone.Ifindex < AbiConstants.MaxIfindex)
            session.Maps.InterfaceSlots.Update((uint)gone.Ifindex, new InterfaceSlot { Slot = 0 });
        logger.LogInformation("{Interface} {Why}: forgotten.", gone.DisplayName, why);
    }

    private uint FreeSlot()
    {
        for (uint slot = 1; slot < AbiConstants.MaxInterfaceSlots; slot++)
        {
            if (!_attached.Values.Any(a => a.Slot == slot))
                return slot;
        }
        return AbiConstants.MaxInterfaceSlots - 1; // more interfaces than slots: the last one counts for the rest
    }

    /// <summary>Whether the state file holds what this manager knows (written on the first reconcile, then on changes).</summary>
    private bool _saved;

    private void Save()
    {
        _saved = true;
        store.Update(state => state with { BuildSha256 = session.BuildSha256, Interfaces = [.. _attached.Values] });
    }
}
