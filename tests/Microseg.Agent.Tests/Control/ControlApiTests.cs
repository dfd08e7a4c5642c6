using System.Net;
using System.Runtime.InteropServices;
using System.Text.Json;
using Microseg.Agent.Control;

namespace Microseg.Agent.Tests.Control;

/// <summary>The control API over a real unix socket: status, reload, and who may reach it.</summary>
public sealed partial class ControlApiTests
{
    /// <summary>mknod(2): makes a socket file with no socket behind it, as a killed daemon leaves.</summary>
    private static unsafe int MakeNode(string path, uint mode, ulong device)
    {
        fixed (byte* pathBytes = Microseg.Bpf.Interop.Utf8z(path))
            return Tmds.Linux.LibC.mknod(pathBytes, (ushort)mode, device);
    }

    [Fact]
    public async Task Status_is_the_snapshot_as_camel_case_json()
    {
        using var dir = new TempDirectory();
        await using var server = await AgentTestServer.StartAsync(new FakeAgentStatus(), dir.File("microseg.sock"));
        using HttpClient client = server.UnixClient();

        using HttpResponseMessage response = await client.GetAsync("v1/status");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        using JsonDocument json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        JsonElement root = json.RootElement;
        Assert.Equal("1.2.3-test", root.GetProperty("version").GetString());
        Assert.Equal("/etc/microseg/policy.yaml", root.GetProperty("policyPath").GetString());
        Assert.Equal(7u, root.GetProperty("policyGeneration").GetUInt32());
        Assert.Equal("native", root.GetProperty("interfaces")[0].GetProperty("xdpMode").GetString());
        Assert.Equal("monitor", root.GetProperty("endpoints")[1].GetProperty("mode").GetString());
        Assert.Equal(65536, root.GetProperty("maps")[0].GetProperty("capacity").GetInt64());
        Assert.Equal(FakeAgentStatus.AwkwardRule, root.GetProperty("rules")[1].GetProperty("rule").GetString());
        Assert.Equal(2ul, root.GetProperty("events").GetProperty("lostRateLimited").GetUInt64());
        Assert.Equal("2025-01-02T03:04:05.5+00:00", root.GetProperty("reloads").GetProperty("lastSuccess").GetString());
    }

    [Fact]
    public async Task Status_round_trips_to_an_equal_snapshot()
    {
        using var dir = new TempDirectory();
        await using var server = await AgentTestServer.StartAsync(new FakeAgentStatus(), dir.File("microseg.sock"));
        using HttpClient client = server.UnixClient();

        string body = await client.GetStringAsync("v1/status");
        AgentStatusSnapshot back = JsonSerializer.Deserialize(body, ControlJsonContext.Api.AgentStatusSnapshot)!;

        // Records compare lists by reference, so compare what they serialize to.
        Assert.Equal(body, JsonSerializer.Serialize(back, ControlJsonContext.Api.AgentStatusSnapshot));
        Assert.Equal(FakeAgentStatus.Sample.Verdicts, back.Verdicts);
    }

    [Fact]
    public async Task An_applied_reload_answers_200_with_its_generation()
    {
        using var dir = new TempDirectory();
        await using var server = await AgentTestServer.StartAsync(new FakeAgentStatus(), dir.File("microseg.sock"));
        using HttpClient client = server.UnixClient();

        using HttpResponseMessage response = await client.PostAsync("v1/reload", null);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("""{"applied":true,"generation":8,"errors":[]}""", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_refused_reload_answers_422_with_its_errors()
    {
        using var dir = new TempDirectory();
        var status = new FakeAgentStatus { NextReload = new ReloadOutcome(false, 7, ["policy.yaml:3:1: error: unknown key 'rulez'"]) };
        await using var server = await AgentTestServer.StartAsync(status, dir.File("microseg.sock"));
        using HttpClient client = server.UnixClient();

        using HttpResponseMessage response = await client.PostAsync("v1/reload", null);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Assert.Equal("""{"applied":false,"generation":7,"errors":["policy.yaml:3:1: error: unknown key 'rulez'"]}""", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Reload_takes_post_only()
    {
        using var dir = new TempDirectory();
        await using var server = await AgentTestServer.StartAsync(new FakeAgentStatus(), dir.File("microseg.sock"));
        using HttpClient client = server.UnixClient();

        using HttpResponseMessage response = await client.GetAsync("v1/reload");

        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
    }

    [Fact]
    public async Task Over_tcp_the_control_api_is_not_found_but_metrics_are_served()
    {
        using var dir = new TempDirectory();
        await using var server = await AgentTestServer.StartAsync(new FakeAgentStatus(), dir.File("microseg.sock"), tcp: true);
        using HttpClient tcp = server.TcpClient();

        using HttpResponseMessage reload = await tcp.PostAsync("v1/reload", null);
        using HttpResponseMessage status = await tcp.GetAsync("v1/status");
        using HttpResponseMessage metrics = await tcp.GetAsync("metrics");

        Assert.Equal(HttpStatusCode.NotFound, reload.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, status.StatusCode);
        Assert.Contains("only on microsegd's unix socket", await status.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, metrics.StatusCode);
    }

    [Fact]
    public async Task The_socket_gets_mode_0660_and_the_group_and_is_removed_at_shutdown()
    {
        // Any group that exists stands in for "microseg", which a test machine need not have.
        string group = new[] { "daemon", "nogroup", "root" }.First(g => MicrosegControlSocket.GroupId(g) is not null);
        uint gid = MicrosegControlSocket.GroupId(group)!.Value;
        using var dir = new TempDirectory();
        string path = dir.File("microseg.sock");

        await using (var server = await AgentTestServer.StartAsync(new FakeAgentStatus(), path, group: group))
        {
            (uint mode, _, uint socketGid) = MicrosegControlSocket.Status(path)!.Value;
            Assert.Equal(MicrosegControlSocket.FileTypeSocket | 0b110_110_000u, mode);
            Assert.Equal(gid, socketGid);
        }

        Assert.Null(MicrosegControlSocket.Status(path));
    }

    [Fact]
    public async Task Without_the_group_the_socket_is_0660_and_keeps_its_owners_group()
    {
        using var dir = new TempDirectory();
        string path = dir.File("microseg.sock");
        Assert.Null(MicrosegControlSocket.GroupId("microseg-no-such-group"));

        await using var server = await AgentTestServer.StartAsync(new FakeAgentStatus(), path, group: "microseg-no-such-group");

        (uint mode, uint uid, _) = MicrosegControlSocket.Status(path)!.Value;
        Assert.Equal(MicrosegControlSocket.FileTypeSocket | 0b110_110_000u, mode);
        Assert.Equal(MicrosegControlSocket.Status(dir.Path)!.Value.Uid, uid);
    }

    [Fact]
    public async Task A_stale_socket_left_by_a_dead_daemon_is_replaced()
    {
        using var dir = new TempDirectory();
        string path = dir.File("microseg.sock");
        Assert.Equal(0, MakeNode(path, MicrosegControlSocket.FileTypeSocket | 0b110_000_000u, 0));

        Assert.Equal(MicrosegControlSocket.FileTypeSocket, MicrosegControlSocket.FileType(path));
        await using var server = await AgentTestServer.StartAsync(new FakeAgentStatus(), path);
        using HttpClient client = server.UnixClient();

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("v1/status")).StatusCode);
    }

    [Fact]
    public async Task A_socket_another_daemon_listens_on_is_left_alone()
    {
        using var dir = new TempDirectory();
        string path = dir.File("microseg.sock");
        await using var running = await AgentTestServer.StartAsync(new FakeAgentStatus(), path);

        IOException refused = Assert.Throws<IOException>(() => MicrosegControlSocket.Prepare(path));

        Assert.Equal($"Another process is listening on {path}: is microsegd already running?", refused.Message);
        using HttpClient client = running.UnixClient();
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("v1/status")).StatusCode);
    }

    [Fact]
    public void A_regular_file_at_the_socket_path_is_not_deleted()
    {
        using var dir = new TempDirectory();
        string path = dir.File("microseg.sock");
        File.WriteAllText(path, "not a socket");

        IOException refused = Assert.Throws<IOException>(() => MicrosegControlSocket.Prepare(path));

        Assert.Equal($"{path} exists and is not a socket; remove it or choose another control socket path.", refused.Message);
        Assert.Equal("not a socket", File.ReadAllText(path));
    }

    [Fact]
    public void The_socket_directory_is_created()
    {
        using var dir = new TempDirectory();
        string path = Path.Combine(dir.Path, "run", "microseg", "microseg.sock");

        MicrosegControlSocket.Prepare(path);

        Assert.True(Directory.Exists(Path.GetDirectoryName(path)));
    }
}
