using Microseg.Flows.Discovery;
using Microseg.Flows.Records;
using Microseg.Policy.Model;
using Microseg.Datapath.Abi;

namespace Microseg.Flows.Tests;

/// <summary>The local unit of a flow: in flow records, on the discovery graph's edges and nodes, in its file and pictures.</summary>
public sealed class LocalUnitTests
{
    private static readonly FlowRecord Https =
        Lab.Flow(Lab.Web, Lab.Customer, Direction.Ingress, 6, 443, rule: "https-from-world") with { LocalUnit = "nginx.service" };

    private static readonly FlowRecord ToApi =
        Lab.Flow(Lab.Web, Lab.Api, Direction.Egress, 6, 8080, rule: "web-to-api") with { LocalUnit = "php-fpm.service" };

    [Fact]
    public void A_flow_record_carries_its_local_unit_through_json()
    {
        string line = FlowRecordJson.ToLine(Https);

        Assert.Contains("\"localUnit\":\"nginx.service\"", line);
        Assert.Equal("nginx.service", FlowRecordJson.Parse(line).LocalUnit);
        Assert.Contains("\"localUnit\":null", FlowRecordJson.ToLine(Https with { LocalUnit = null }));
        Assert.Null(FlowRecordJson.Parse(FlowRecordJson.ToLine(Https with { LocalUnit = null })).LocalUnit);
    }

    [Fact]
    public void Edges_and_the_local_node_keep_the_units_named_bounded()
    {
        var graph = new DiscoveryGraph(new DiscoveryOptions(MaxLocalUnitsPerEdge: 2));
        graph.Add(Https);
        graph.Add(Https with { LocalUnit = null });
        graph.Add(Https with { LocalUnit = "caddy.service" });
        graph.Add(Https with { LocalUnit = "third.service" });
        graph.Add(ToApi);

        Assert.Equal(["nginx.service", "caddy.service"], graph.Edge(new EdgeKey("web", "world", Direction.Ingress, 6, 443))!.LocalUnits);
        Assert.Equal(["php-fpm.service"], graph.Edge(new EdgeKey("web", "api", Direction.Egress, 6, 8080))!.LocalUnits);
        Assert.Equal(["nginx.service", "caddy.service", "third.service", "php-fpm.service"], graph.Node("web")!.LocalUnits);
        Assert.Empty(graph.Node("api")!.LocalUnits); // the remote side is another host's business
    }

    [Fact]
    public void A_unit_named_later_joins_the_flows_edge_without_counting_it_again()
    {
        var graph = new DiscoveryGraph();
        graph.Add(Https with { LocalUnit = null });
        graph.AddLocalUnit(Https);
        graph.AddLocalUnit(Https with { Kind = Datapath.Abi.FlowEventKind.FlowEnd, LocalUnit = "flow-end.service" });
        graph.AddLocalUnit(Https with { PolicyPort = 80, LocalUnit = "no-such-edge.service" });

        DiscoveryEdge edge = graph.Edge(new EdgeKey("web", "world", Direction.Ingress, 6, 443))!;
        Assert.Equal(1ul, edge.Flows);
        Assert.Equal(["nginx.service"], edge.LocalUnits);
        Assert.Equal(["nginx.service"], graph.Node("web")!.LocalUnits);
    }

    [Fact]
    public void The_graph_file_keeps_units_and_reads_files_without_them()
    {
        DiscoveryGraph graph = DiscoveryGraph.Of([Https, ToApi]);
        string json = DiscoveryExport.Json(graph);
        DiscoveryGraph again = DiscoveryGraph.Parse(json, "test");

        Assert.Equal(["nginx.service"], again.Edge(new EdgeKey("web", "world", Direction.Ingress, 6, 443))!.LocalUnits);
        Assert.Equal(["nginx.service", "php-fpm.service"], again.Node("web")!.LocalUnits);

        string older = System.Text.RegularExpressions.Regex.Replace(json, @",\s*""localUnits"": \[[^\]]*\]", "");
        Assert.DoesNotContain("localUnits", older);
        Assert.Empty(DiscoveryGraph.Parse(older, "test").Node("web")!.LocalUnits);
    }

    [Fact]
    public void The_table_and_pictures_show_the_local_units()
    {
        DiscoveryGraph graph = DiscoveryGraph.Of([Https, ToApi, Https with { LocalUnit = null, PolicyPort = 80, LocalPort = 80 }]);

        string table = DiscoveryExport.Table(graph);
        Assert.Contains("LOCAL UNIT", table.Split('\n')[0]);
        Assert.Matches(@"world\s+web\s+tcp/443\s+web ingress\s+nginx.service\s+1\s", table);
        Assert.Matches(@"world\s+web\s+tcp/80\s+web ingress\s+-\s+1\s", table);
        Assert.Contains("\"web\" [label=\"web\\nnginx.service, php-fpm.service\"];", DiscoveryExport.Dot(graph));
        Assert.Contains("[\"web<br/>nginx.service, php-fpm.service\"]", DiscoveryExport.Mermaid(graph));
        Assert.Contains("\"api\" [label=\"api\"];", DiscoveryExport.Dot(graph));
    }
    [Fact]
    public void A_socket_in_the_root_cgroup_is_shown_as_the_root_cgroup_in_every_view()
    {
        // Flow logs and graph files written before it had a name carry a bare "/".
        FlowRecord legacy = FlowRecordJson.Parse(FlowRecordJson.ToLine(Https with { LocalUnit = "/" }));
        Assert.Equal(LocalUnitName.RootCgroup, legacy.LocalUnit);
        Assert.Equal("(root cgroup)", LocalUnitName.RootCgroup);

        DiscoveryGraph graph = DiscoveryGraph.Of([legacy, ToApi with { LocalUnit = "/" }]);
        string json = DiscoveryExport.Json(graph).Replace("(root cgroup)", "/", StringComparison.Ordinal);
        DiscoveryGraph again = DiscoveryGraph.Parse(json, "test");
        Assert.Equal([LocalUnitName.RootCgroup], again.Node("web")!.LocalUnits);

        Assert.Matches(@"world\s+web\s+tcp/443\s+web ingress\s+\(root cgroup\)\s+1\s", DiscoveryExport.Table(again));
        Assert.Contains("\"web\" [label=\"web\\n(root cgroup)\"];", DiscoveryExport.Dot(again));
        Assert.Contains("[\"web<br/>(root cgroup)\"]", DiscoveryExport.Mermaid(again));
        foreach (string view in new[] { DiscoveryExport.Table(again), DiscoveryExport.Dot(again), DiscoveryExport.Mermaid(again) })
        {
            Assert.DoesNotMatch(@"(\\n|<br/>|\s)/(\s|""|$)", view);
        }
    }

    [Fact]
    public void The_pictures_carry_a_legend_of_their_shapes_colours_and_lines()
    {
        DiscoveryGraph graph = DiscoveryGraph.Of([Https, ToApi]);

        string dot = DiscoveryExport.Dot(graph);
        Assert.Contains("legend", dot);
        foreach (string meaning in new[] { "identity", "world", "red", "orange", "black", "local units", "(root cgroup)" })
            Assert.Contains(meaning, dot);

        string mermaid = DiscoveryExport.Mermaid(graph);
        Assert.Contains("subgraph legend", mermaid);
        foreach (string meaning in new[] { "identity", "dotted", "solid", "local units", "(root cgroup)" })
            Assert.Contains(meaning, mermaid);
    }
}
