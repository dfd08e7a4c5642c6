using System.Net;
using System.Text.Json;
using Microseg.Agent.Flows;
using Microseg.Datapath.Abi;
using Microseg.Flows.Records;
using Microsoft.Extensions.Logging.Abstractions;

namespace Microseg.Agent.Tests.Control;

/// <summary>The flow resources of the control API: discovery, recent flows, monitor report.</summary>
public sealed class FlowRoutesTests
{
    private static FlowStore StoreWith(params ushort[] ports)
    {
        var store = new FlowStore(null, () => null, null, NullLogger.Instance);
        foreach (var port in ports)
        {
            store.Add(new FlowEvent
            {
                Kind = FlowEventKind.WouldDeny,
                Direction = Direction.Ingress,
                Protocol = 6,
                LocalAddr = IpAddress16.From(IPAddress.Parse("10.0.0.2")),
                RemoteAddr = IpAddress16.From(IPAddress.Parse("203.0.113.9")),
                LocalPort = System.Buffers.Binary.BinaryPrimitives.ReverseEndianness(port),
                PolicyPort = port,
                LocalIdentity = AbiConstants.IdentityHost,
                RemoteIdentity = AbiConstants.IdentityWorld,
                Verdict = Verdict.WouldDeny,
                Reason = VerdictReason.PolicyDefault,
            });
        }
        return store;
    }

    [Fact]
    public async Task Discovery_flows_and_monitor_answer_from_the_store()
    {
        using var dir = new TempDirectory();
        await using var server = await AgentTestServer.StartAsync(new FakeAgentStatus(), dir.File("microseg.sock"), flows: StoreWith(22, 80, 443));
        using HttpClient client = server.UnixClient();

        using var graph = JsonDocument.Parse(await client.GetStringAsync("v1/discovery"));
        Assert.Equal("microseg-discovery", graph.RootElement.GetProperty("format").GetString());
        Assert.Equal(3, graph.RootElement.GetProperty("edges").GetArrayLength());

        var lines = FlowLog.Parse(await client.GetStringAsync("v1/flows?limit=2"), "answer");
        Assert.Equal([80, 443], lines.Select(r => (int)r.PolicyPort));

        using var monitor = JsonDocument.Parse(await client.GetStringAsync("v1/monitor"));
        Assert.Equal(3, monitor.RootElement.GetProperty("groups").GetArrayLength());
    }

    [Fact]
    public async Task A_bad_limit_is_400_and_no_store_is_503()
    {
        using var dir = new TempDirectory();
        await using (var server = await AgentTestServer.StartAsync(new FakeAgentStatus(), dir.File("a.sock"), flows: StoreWith(22)))
        {
            using HttpClient client = server.UnixClient();
            using var response = await client.GetAsync("v1/flows?limit=many");
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        }

        await using (var server = await AgentTestServer.StartAsync(new FakeAgentStatus(), dir.File("b.sock")))
        {
            using HttpClient client = server.UnixClient();
            using var response = await client.GetAsync("v1/discovery");
            Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        }
    }
}
