using Microseg.Datapath.Loading;

namespace Microseg.Datapath.Fixtures;

/// <summary>
/// Map sizes for fixture rows: ample for the standard policy, small enough that loading a
/// fresh datapath per row costs milliseconds rather than preallocating full-size maps.
/// </summary>
public static class FixtureCapacities
{
    public static DatapathCapacities Small { get; } = new()
    {
        EndpointsPerSlot = 64,
        RemoteHostsPerSlot = 64,
        RemotePrefixesPerSlot = 64,
        PolicyKeysPerSlot = 256,
        PolicyPortsPerSlot = 256,
        PolicyRangeKeysPerSlot = 64,
        Rules = 128,
        ConntrackEntries = 1024,
        FragmentEntries = 64,
        EventRingBytes = 256 * 1024,
    };
}
