using Microseg.TestSupport;
using Xunit;

namespace Microseg.Bpf.Tests;

public sealed class NetworkNamespaceTests
{
    [Fact]
    public void Interface_index_of_a_missing_device_names_it()
    {
        var error = Assert.Throws<BpfException>(() => NetworkNamespace.InterfaceIndex("no-such-dev0"));
        Assert.Contains("no-such-dev0", error.Message);
        Assert.Equal("if_nametoindex", error.Call);
        Assert.Equal(1, NetworkNamespace.InterfaceIndex("lo"));
    }

    [Fact]
    public void Opening_a_missing_namespace_names_the_path()
    {
        var error = Assert.Throws<BpfException>(() => NetworkNamespace.Open("microseg-no-such-namespace"));
        Assert.Contains("/var/run/netns/microseg-no-such-namespace", error.Message);
        Assert.Equal(2, error.Errno);
    }

    [PrivilegedFact] // setns needs CAP_SYS_ADMIN
    public void Run_propagates_results_and_exceptions_from_the_namespace_thread()
    {
        using NetworkNamespace self = NetworkNamespace.OpenPath("/proc/self/ns/net");
        int caller = Environment.CurrentManagedThreadId;
        Assert.NotEqual(caller, self.Run(() => Environment.CurrentManagedThreadId));
        var error = Assert.Throws<InvalidOperationException>(() => self.Run(() => throw new InvalidOperationException("inside")));
        Assert.Equal("inside", error.Message);
    }
}
