using System.Security.Cryptography;
using System.Text;
using Microseg.Agent.Hosting;
using Microseg.Bpf;
using Microseg.Datapath.Loading;
using Microsoft.Extensions.Logging;

namespace Microseg.Agent.Lifecycle;

/// <summary>
/// Brings the datapath up without a gap in enforcement. When the pin directory holds the
/// programs and maps of this very build (the SHA-256 recorded in the state file matches the
/// objects on disk, and the maps pass <see cref="PinnedMapCheck"/>), they are reused as they
/// are: nothing is loaded and the interfaces keep the programs they run. Otherwise the
/// objects are loaded onto the pinned maps (policy and conntrack survive) and pinned in place
/// of the old programs; the attacher then swaps the programs on each interface atomically.
/// Pinned maps of another layout or ABI version are never adopted: the objects are loaded
/// onto new maps, which replace the old pins only once the caller has written the policy
/// into them (<see cref="DatapathSession.ReplacePins"/>).
/// </summary>
public sealed class DatapathStarter(string objectDirectory, PinLayout pins, ILogger logger)
{
    public DatapathCapacities Capacities { get; init; } = DatapathCapacities.Default;

    public DatapathTuning Tuning { get; init; } = DatapathTuning.Default;

    public DatapathSession Start(AgentState state)
    {
        var build = BuildSha256();
        if (state.BuildSha256 == build && pins.IsComplete)
        {
            try
            {
                var mismatches = PinnedMapCheck.Run(Options(IncompatiblePins.Refuse));
                if (mismatches.Count == 0)
                    return ReusePinned(build);
                logger.LogWarning("The maps pinned in {Pins} do not match the build that state.json names ({Mismatches}); loading again.",
                    pins.Directory, string.Join("; ", mismatches));
            }
            catch (BpfException e)
            {
                logger.LogWarning("The pinned programs in {Pins} cannot be reused ({Error}); loading them again.", pins.Directory, e.Message);
            }
        }
        return Load(build);
    }

    /// <summary>SHA-256 over both objects and every load-time setting baked into them.</summary>
    public string BuildSha256()
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var file in new[] { MapNames.IngressObjectFile, MapNames.EgressObjectFile })
        {
            var path = Path.Combine(objectDirectory, file);
            if (!File.Exists(path))
                throw new StartupException(ExitCode.ProgramsNotLoaded,
                    $"The eBPF object {path} is missing: install microseg, or point --bpf-dir at artifacts/bpf after `make bpf`.");
            hash.AppendData(Encoding.UTF8.GetBytes(file));
            hash.AppendData(File.ReadAllBytes(path));
        }
        hash.AppendData(Encoding.UTF8.GetBytes(Capacities.ToString() + Tuning.ToString()));
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    private DatapathSession ReusePinned(string build)
    {
        var pinned = PinnedDatapath.Open(pins.Directory, pins.IngressProgram, pins.EgressProgram);
        logger.LogInformation("Reusing the pinned programs (ids {Ingress}, {Egress}) and maps in {Pins}: same build, nothing loaded.",
            pinned.Ingress.Id, pinned.Egress.Id, pins.Directory);
        return new DatapathSession(pinned.Maps, pinned.Ingress, pinned.Egress, Capacities, DatapathProvenance.ReusedPinned, build, pinned);
    }

    private DatapathSession Load(string build)
    {
        LoadedDatapath loaded;
        try
        {
            Directory.CreateDirectory(pins.Directory);
            loaded = LoadedDatapath.Load(Options(IncompatiblePins.Replace));
        }
        catch (Exception e) when (e is BpfException or IOException or InvalidOperationException)
        {
            throw new StartupException(ExitCode.ProgramsNotLoaded, $"Loading the eBPF programs from {objectDirectory} failed: {e.Message}", e);
        }
        if (loaded.PinMismatches.Count > 0)
        {
            logger.LogWarning("The maps pinned in {Pins} were made by a build of another layout ({Mismatches}): they are not adopted. " +
                "Loaded the programs (ids {Ingress}, {Egress}) onto new maps; conntrack starts empty, and the policy is written into them " +
                "before they replace the old pins and the programs are swapped.",
                pins.Directory, string.Join("; ", loaded.PinMismatches), loaded.Ingress.Id, loaded.Egress.Id);
            return new DatapathSession(loaded.Maps, loaded.Ingress, loaded.Egress, Capacities,
                DatapathProvenance.ReplacingIncompatiblePins, build, loaded)
            {
                PinMismatches = loaded.PinMismatches,
                PinReplacement = () =>
                {
                    loaded.ReplacePins();
                    PinPrograms(loaded);
                },
            };
        }
        try
        {
            PinPrograms(loaded);
        }
        catch
        {
            loaded.Dispose();
            throw;
        }
        var provenance = loaded.AdoptedPinnedMaps ? DatapathProvenance.LoadedOntoPinnedMaps : DatapathProvenance.Fresh;
        logger.LogInformation(provenance == DatapathProvenance.Fresh
                ? "Loaded the programs (ids {Ingress}, {Egress}) onto new maps pinned in {Pins}."
                : "Loaded the programs (ids {Ingress}, {Egress}) onto the maps pinned in {Pins}: policy and conntrack adopted.",
            loaded.Ingress.Id, loaded.Egress.Id, pins.Directory);
        return new DatapathSession(loaded.Maps, loaded.Ingress, loaded.Egress, Capacities, provenance, build, loaded);
    }

    private DatapathOptions Options(IncompatiblePins incompatible) => new()
    {
        ObjectDirectory = objectDirectory,
        Capacities = Capacities,
        Tuning = Tuning,
        PinDirectory = pins.Directory,
        IncompatiblePins = incompatible,
    };

    private void PinPrograms(LoadedDatapath loaded)
    {
        // Swapping the pins leaves what is attached alone: an attachment holds its own reference.
        BpfPin.Unpin(pins.IngressProgram);
        loaded.Ingress.Pin(pins.IngressProgram);
        BpfPin.Unpin(pins.EgressProgram);
        loaded.Egress.Pin(pins.EgressProgram);
    }
}
