using System.Net;
using System.Net.Sockets;
using Microseg.Agent.Control;
using Microseg.Agent.Metrics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Microseg.Agent.Tests.Control;

/// <summary>
/// A real Kestrel host wired as microsegd wires its endpoints, around a fake status: the control
/// API on a unix socket (mode and group applied as in the daemon), /metrics, and optionally a
/// loopback TCP listener on a port the system picks.
/// </summary>
internal sealed class AgentTestServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private AgentTestServer(WebApplication app, string? socketPath, Uri? tcpAddress)
    {
        _app = app;
        SocketPath = socketPath;
        TcpAddress = tcpAddress;
    }

    /// <summary>The control socket's path, when there is one.</summary>
    public string? SocketPath { get; }

    /// <summary>http://127.0.0.1:PORT/ when the server listens on TCP.</summary>
    public Uri? TcpAddress { get; }

    public static async Task<AgentTestServer> StartAsync(IAgentStatus status, string? socketPath = null, bool tcp = false, string group = MicrosegControlSocket.GroupName,
        Microseg.Agent.Flows.FlowStore? flows = null)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [] });
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton(status);
        if (flows is not null)
            builder.Services.AddSingleton(flows);
        builder.Services.AddMicrosegMetrics();
        if (socketPath is not null)
            builder.AddMicrosegControlSocket(socketPath, group);
        if (tcp)
            builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));

        WebApplication app = builder.Build();
        app.MapMicrosegControlApi();
        app.MapMicrosegMetrics();
        await app.StartAsync();

        Uri? tcpAddress = null;
        if (tcp)
        {
            string address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>()
                .Addresses.Single(a => a.StartsWith("http://127.0.0.1:", StringComparison.Ordinal));
            tcpAddress = new Uri(address + "/");
        }

        return new AgentTestServer(app, socketPath, tcpAddress);
    }

    /// <summary>An HTTP client whose every connection goes to <paramref name="socketPath"/>.</summary>
    public static HttpClient UnixClient(string socketPath) => new(new SocketsHttpHandler
    {
        ConnectCallback = async (_, cancellationToken) =>
        {
            var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            try
            {
                await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), cancellationToken);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        },
    })
    {
        BaseAddress = new Uri("http://microsegd/"),
        Timeout = TimeSpan.FromSeconds(10),
    };

    public HttpClient UnixClient() => UnixClient(SocketPath ?? throw new InvalidOperationException("This server has no control socket."));

    public HttpClient TcpClient() => new() { BaseAddress = TcpAddress ?? throw new InvalidOperationException("This server has no TCP listener."), Timeout = TimeSpan.FromSeconds(10) };

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
