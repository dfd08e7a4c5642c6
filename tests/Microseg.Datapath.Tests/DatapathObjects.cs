using Microseg.Datapath.Loading;
using Microseg.TestSupport;

namespace Microseg.Datapath.Tests;

/// <summary>Where the tests find the compiled programs.</summary>
internal static class DatapathObjects
{
    public static string Directory => Path.GetDirectoryName(ArtifactPaths.BpfObject("xdp_ingress"))!;

    public static DatapathOptions Options(DatapathCapacities? capacities = null) => new()
    {
        ObjectDirectory = Directory,
        Capacities = capacities ?? DatapathCapacities.Default,
    };
}
