using Microseg.TestSupport;
using Xunit;

namespace Microseg.Bpf.Tests;

public sealed class AttachTests : IDisposable
{
    private readonly LoadedFixtures _fixtures = new();

    private BpfObject Bpf => _fixtures.Object;

    public void Dispose() => _fixtures.Dispose();

    [PrivilegedTheory]
    [InlineData(XdpAttachMode.Native)]
    [InlineData(XdpAttachMode.Generic)]
    [InlineData(XdpAttachMode.NativeWithGenericFallback)]
    public void Xdp_attach_query_detach_on_a_veth_in_a_namespace(XdpAttachMode requested)
    {
        using var network = new TestNetwork();
        using NetworkNamespace ns = network.OpenA();
        BpfProgram program = Bpf.GetProgram("xdp_pass");
        var log = new List<string>();

        ns.Run(() =>
        {
            int ifindex = NetworkNamespace.InterfaceIndex(network.InterfaceA);
            Assert.Equal(network.IfindexA, ifindex);
            Assert.Equal(0u, Xdp.QueryAttachedProgramId(ifindex, out XdpAttachMode none));
            Assert.Equal(XdpAttachMode.None, none);

            XdpAttachMode used = Xdp.Attach(ifindex, program, requested, log.Add);
            // veth supports native XDP, so the fallback is not needed.
            Assert.Equal(requested == XdpAttachMode.Generic ? XdpAttachMode.Generic : XdpAttachMode.Native, used);
            Assert.Equal(program.Id, Xdp.QueryAttachedProgramId(ifindex, out XdpAttachMode mode));
            Assert.Equal(used, mode);

            // A second attach without replace is refused: nothing is silently overwritten.
            Assert.Throws<BpfException>(() => Xdp.Attach(ifindex, program, used));

            Xdp.Detach(ifindex, requested);
            Assert.Equal(0u, Xdp.QueryAttachedProgramId(ifindex, out _));
        });
        Assert.Empty(log);
    }

    [PrivilegedFact]
    public void Xdp_replace_swaps_atomically_only_when_the_expected_program_is_attached()
    {
        using var network = new TestNetwork();
        using NetworkNamespace ns = network.OpenA();
        BpfProgram pass = Bpf.GetProgram("xdp_pass");
        BpfProgram producer = Bpf.GetProgram("xdp_ring_producer");
        ns.Run(() =>
        {
            int ifindex = network.IfindexA;
            Xdp.Attach(ifindex, pass, XdpAttachMode.Native);
            Xdp.Replace(ifindex, producer, pass, XdpAttachMode.Native);
            Assert.Equal(producer.Id, Xdp.QueryAttachedProgramId(ifindex, out _));

            // The expected old program is no longer attached: refused.
            var stale = Assert.Throws<BpfException>(() => Xdp.Replace(ifindex, pass, pass, XdpAttachMode.Native));
            Assert.Equal("bpf_xdp_attach", stale.Call);
            Assert.Contains("Active program does not match expected", stale.Message); // the kernel's own words
            Assert.Equal(producer.Id, Xdp.QueryAttachedProgramId(ifindex, out _));

            Xdp.ReplaceById(ifindex, pass, producer.Id, XdpAttachMode.NativeWithGenericFallback);
            Assert.Equal(pass.Id, Xdp.QueryAttachedProgramId(ifindex, out _));
            Xdp.Detach(ifindex, XdpAttachMode.NativeWithGenericFallback);
        });
    }

    [PrivilegedFact]
    public void Tc_egress_attach_query_detach_removes_the_clsact_it_created()
    {
        using var network = new TestNetwork();
        using NetworkNamespace ns = network.OpenA();
        BpfProgram program = Bpf.GetProgram("tc_pass");
        ns.Run(() =>
        {
            int ifindex = network.IfindexA;
            Assert.Equal(0u, Tc.QueryEgressProgramId(ifindex));
            TcAttachment attachment = Tc.AttachEgress(ifindex, program);
            Assert.True(attachment.CreatedHook);
            Assert.Equal(program.Id, attachment.ProgramId);
            Assert.Equal(program.Id, Tc.QueryEgressProgramId(ifindex));
            Assert.Equal(0u, Tc.QueryIngressProgramId(ifindex));
            Assert.Contains("clsact", Qdiscs(network.NamespaceA));

            // Same handle/priority without replace: EEXIST; with replace: fine.
            Assert.Equal(17, Assert.Throws<BpfException>(() => Tc.AttachEgress(ifindex, program)).Errno);
            TcAttachment replaced = Tc.AttachEgress(ifindex, program, replace: true);
            Assert.False(replaced.CreatedHook);

            Tc.Detach(attachment);
            Assert.Equal(0u, Tc.QueryEgressProgramId(ifindex));
            Assert.DoesNotContain("clsact", Qdiscs(network.NamespaceA));
        });
    }

    [PrivilegedFact]
    public void Tc_detach_keeps_a_clsact_that_existed_before()
    {
        using var network = new TestNetwork();
        IpTool.Run("netns", "exec", network.NamespaceA, "tc", "qdisc", "add", "dev", network.InterfaceA, "clsact");
        using NetworkNamespace ns = network.OpenA();
        BpfProgram program = Bpf.GetProgram("tc_pass");
        ns.Run(() =>
        {
            int ifindex = network.IfindexA;
            TcAttachment attachment = Tc.AttachIngress(ifindex, program, handle: 7, priority: 3);
            Assert.False(attachment.CreatedHook);
            Assert.Equal(program.Id, Tc.QueryIngressProgramId(ifindex, 7, 3));
            Assert.Equal(0u, Tc.QueryIngressProgramId(ifindex, 1, 1));
            Tc.Detach(attachment);
            Assert.Equal(0u, Tc.QueryIngressProgramId(ifindex, 7, 3));
            Assert.Contains("clsact", Qdiscs(network.NamespaceA));

            // Adopting a previous run's filter: detach by handle/priority.
            Tc.AttachEgress(ifindex, program, handle: 2, priority: 2);
            Tc.DetachEgress(ifindex, 2, 2);
            Assert.Equal(0u, Tc.QueryEgressProgramId(ifindex, 2, 2));
            Tc.DetachEgress(ifindex, 2, 2); // already gone: fine
        });
    }

    [PrivilegedFact]
    public void Sockets_opened_inside_Run_stay_in_the_namespace()
    {
        using var network = new TestNetwork();
        using NetworkNamespace a = network.OpenA();
        using NetworkNamespace b = network.OpenB();
        using var listener = b.Run(() =>
        {
            var socket = new System.Net.Sockets.TcpListener(network.AddressB4, 0);
            socket.Start();
            return socket;
        });
        int port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        using var client = a.Run(() => new System.Net.Sockets.TcpClient(System.Net.Sockets.AddressFamily.InterNetwork));
        // Connected from the test thread (root namespace): the socket still routes inside A.
        client.Connect(network.AddressB4, port);
        using var accepted = listener.AcceptTcpClient();
        Assert.Equal(network.AddressA4, ((System.Net.IPEndPoint)accepted.Client.RemoteEndPoint!).Address);
    }

    private static string Qdiscs(string ns) => IpTool.Run("netns", "exec", ns, "tc", "qdisc", "show");
}
