using System.Net;
using Microseg.Datapath.Abi;
using Microseg.Datapath.Fixtures;
using Microseg.Datapath.Loading;
using Microseg.Datapath.Slots;
using Microseg.Policy.Compilation;
using Microseg.Policy.Interfaces;
using Microseg.Policy.Model;
using Microseg.TestSupport;

namespace Microseg.Policy.Tests.Compilation;

/// <summary>
/// The interface owners PolicyApplier writes with a policy (ms_interface_endpoints), as
/// microsegd's reloader relies on: written on apply, rewritten only when an interface's owner
/// changes, and read back from the live slot when an adopted policy is kept unwritten.
/// </summary>
public sealed class PolicyApplierOwnerTests
{
    private const uint Slot = 3;

    [PrivilegedFact]
    public void Owners_are_written_with_the_policy_and_rewritten_only_when_they_change()
    {
        using LoadedDatapath datapath = LoadedDatapath.Load(Options());
        var writer = new SlotWriter(datapath.Maps);
        var applier = new PolicyApplier(writer, datapath.Options.Capacities);
        PolicyDocument document = ThreeTier();

        // web's address on the interface makes web its owner, in the slot the policy went live in.
        PolicyApplyResult applied = applier.Apply(document, applier.Compile(document), Owners(document, "10.0.1.10", "10.0.1.99"));
        Assert.True(applied.Applied);
        EndpointValue web = LiveOwner(datapath, writer);
        Assert.Equal(applier.Live!.Identities.Single(i => i.Name == "web").Id, web.Identity);
        Assert.Equal(EndpointMode.Enforce, web.Mode);

        // The same owner (another unlisted address is judged by interface): nothing is written.
        uint generation = writer.ActiveGeneration;
        Assert.Null(applier.ApplyOwners(Owners(document, "10.0.1.10", "10.0.1.77")));
        Assert.Equal(generation, writer.ActiveGeneration);

        // db's address instead: a new generation with db as the owner.
        SlotWriteResult rewritten = applier.ApplyOwners(Owners(document, "10.0.3.5"))!.Value;
        Assert.Equal(writer.ActiveGeneration, rewritten.Generation);
        Assert.True(rewritten.Generation > generation);
        Assert.Equal(applier.Live!.Identities.Single(i => i.Name == "db").Id, LiveOwner(datapath, writer).Identity);

        // A policy kept as adopted reads the owner back from the live slot: the same owners write nothing.
        var adopter = new PolicyApplier(new SlotWriter(datapath.Maps), datapath.Options.Capacities);
        adopter.Keep(document, adopter.Compile(document));
        Assert.Null(adopter.ApplyOwners(Owners(document, "10.0.3.5")));
        Assert.Equal(rewritten.Generation, writer.ActiveGeneration);
    }

    private static EndpointValue LiveOwner(LoadedDatapath datapath, SlotWriter writer)
    {
        Assert.True(datapath.Maps.InterfaceEndpoints.TryLookup(AbiConstants.InterfaceEndpointIndex(Slot, writer.ActiveSlot), out EndpointValue owner));
        return owner;
    }

    private static List<(uint InterfaceSlot, InterfaceOwner Owner)> Owners(PolicyDocument document, params string[] addresses) =>
        PolicyApplier.Owners(document, [(Slot, new InterfaceAddresses("eth0", [.. addresses.Select(IPAddress.Parse)]))]);

    private static PolicyDocument ThreeTier()
    {
        string path = Path.Combine(PolicyText.RepositoryRoot(), "docs", "examples", "three-tier.yaml");
        return Compile.Document(File.ReadAllText(path), path);
    }

    private static DatapathOptions Options() => new()
    {
        ObjectDirectory = Path.GetDirectoryName(ArtifactPaths.BpfObject("xdp_ingress"))!,
        Capacities = FixtureCapacities.Small,
    };
}
