using System.Net;
using System.Net.Sockets;

namespace Microseg.Cli.Daemon;

/// <summary>
/// Talks HTTP to microsegd's control API over its unix socket. Every way of not reaching the
/// daemon becomes a <see cref="DaemonUnreachableException"/> whose message says what to do.
/// </summary>
internal sealed class ControlClient : IDisposable
{
    /// <summary>Where microsegd listens unless told otherwise (MicrosegControlSocket.DefaultPath in the daemon).</summary>
    public const string DefaultSocketPath = "/run/microseg/microseg.sock";

    // A status is read from maps in milliseconds and a reload of a large policy takes seconds; a
    // daemon silent for longer than this is stuck, and saying so beats hanging.
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(30);

    // The socket's path, for connecting and for messages.
    private readonly string _socketPath;

    // The HTTP client whose connections all go to _socketPath.
    private readonly HttpClient _http;

    public ControlClient(string socketPath)
    {
        _socketPath = socketPath;
        _http = new HttpClient(new SocketsHttpHandler { ConnectCallback = ConnectAsync })
        {
            BaseAddress = new Uri("http://microsegd/"),
            Timeout = s_timeout,
        };
    }

    /// <summary>Sends a request and returns the status code and the body, whatever the status.</summary>
    /// <exception cref="DaemonUnreachableException">The daemon could not be reached or did not answer.</exception>
    public async Task<(HttpStatusCode Status, string Body)> SendAsync(HttpMethod method, string path)
    {
        if (!File.Exists(_socketPath))
            throw new DaemonUnreachableException($"{_socketPath} does not exist: microsegd is not running, or listens elsewhere (--socket).");
        try
        {
            using var request = new HttpRequestMessage(method, path);
            using HttpResponseMessage response = await _http.SendAsync(request);
            return (response.StatusCode, await response.Content.ReadAsStringAsync());
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or SocketException or IOException)
        {
            throw new DaemonUnreachableException(Explain(e, _socketPath));
        }
    }

    public void Dispose() => _http.Dispose();

    /// <summary>One sentence saying why <paramref name="socketPath"/> could not be used, and what to do.</summary>
    internal static string Explain(Exception failure, string socketPath)
    {
        SocketException? socket = failure as SocketException ?? failure.InnerException as SocketException;
        return socket?.SocketErrorCode switch
        {
            SocketError.AccessDenied =>
                $"Permission denied on {socketPath}: run as root or as a member of the microseg group.",
            SocketError.ConnectionRefused =>
                $"Nothing is listening on {socketPath}: microsegd is not running.",
            SocketError.AddressNotAvailable or SocketError.AddressFamilyNotSupported =>
                $"{socketPath} does not exist: microsegd is not running, or listens elsewhere (--socket).",
            _ when failure is TaskCanceledException =>
                $"microsegd did not answer on {socketPath} within {s_timeout.TotalSeconds:F0} seconds.",
            _ => $"Could not talk to microsegd on {socketPath}: {(socket ?? failure.InnerException ?? failure).Message.TrimEnd('.')}.",
        };
    }

    private async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(_socketPath), cancellationToken);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}
