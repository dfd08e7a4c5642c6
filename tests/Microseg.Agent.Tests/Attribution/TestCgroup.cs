using System.Diagnostics;
using Microseg.Agent.Attribution;

namespace Microseg.Agent.Tests.Attribution;

/// <summary>
/// A cgroup of its own under the cgroup2 mount, named like a systemd service
/// (<c>microseg-test-RANDOM.service</c>), and a helper process started inside it (python3, as
/// <c>make deps</c> installs) that owns sockets there. Disposing kills the helper and removes the
/// cgroup, even after a failure.
/// </summary>
internal sealed class TestCgroup : IDisposable
{
    // The helper: listens on TCP (v4 and v6) and binds UDP, prints the ports, accepts in the
    // background and keeps every socket open; "connect PORT" opens an outgoing connection to
    // 127.0.0.1:PORT and prints its local port. It moves itself into the cgroup before making
    // any socket: a socket belongs to the cgroup of the process that created it.
    private const string Helper = """
        import socket, sys, threading
        open(sys.argv[1] + "/cgroup.procs", "w").write("0")
        keep = []
        tcp = socket.socket(); tcp.bind(("127.0.0.1", 0)); tcp.listen(16); keep.append(tcp)
        tcp6 = socket.socket(socket.AF_INET6); tcp6.bind(("::1", 0)); tcp6.listen(16); keep.append(tcp6)
        udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); udp.bind(("127.0.0.1", 0)); keep.append(udp)
        def accept(listener):
            while True:
                keep.append(listener.accept()[0])
        for listener in (tcp, tcp6):
            threading.Thread(target=accept, args=(listener,), daemon=True).start()
        print(tcp.getsockname()[1], tcp6.getsockname()[1], udp.getsockname()[1], flush=True)
        for line in sys.stdin:
            if line.startswith("connect "):
                client = socket.create_connection(("127.0.0.1", int(line.split()[1]))); keep.append(client)
                print(client.getsockname()[1], flush=True)
        """;

    private Process? _helper;

    public TestCgroup()
    {
        string mount = CgroupUnits.FindMountPoint()
            ?? throw new InvalidOperationException("no cgroup2 file system is mounted (looked in /proc/self/mountinfo)");
        Unit = $"microseg-test-{Guid.NewGuid().ToString("N")[..10]}.service";
        Path = System.IO.Path.Combine(mount, Unit);
        Mount = mount;
        Directory.CreateDirectory(Path);
    }

    /// <summary>The cgroup2 mount it was made under.</summary>
    public string Mount { get; }

    /// <summary>The cgroup's directory.</summary>
    public string Path { get; }

    /// <summary>The unit name the cgroup stands for (its directory's name).</summary>
    public string Unit { get; }

    /// <summary>The helper's ports: TCP on 127.0.0.1 and on ::1, UDP on 127.0.0.1.</summary>
    public (ushort Tcp, ushort Tcp6, ushort Udp) Ports { get; private set; }

    /// <summary>Starts the helper inside the cgroup and waits for its ports.</summary>
    public void StartHelper()
    {
        var start = new ProcessStartInfo("/usr/bin/python3", ["-c", Helper, Path])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        _helper = Process.Start(start)!;
        string[] ports = ReadLine().Split(' ');
        Ports = (ushort.Parse(ports[0]), ushort.Parse(ports[1]), ushort.Parse(ports[2]));
    }

    /// <summary>Has the helper connect to 127.0.0.1:<paramref name="port"/>; returns the connection's local port.</summary>
    public ushort Connect(ushort port)
    {
        _helper!.StandardInput.WriteLine($"connect {port}");
        _helper.StandardInput.Flush();
        return ushort.Parse(ReadLine());
    }

    private string ReadLine()
    {
        var line = _helper!.StandardOutput.ReadLineAsync();
        if (!line.Wait(TimeSpan.FromSeconds(10)) || line.Result is null)
            throw new InvalidOperationException($"the helper in {Path} did not answer: {_helper.StandardError.ReadToEnd()}");
        return line.Result;
    }

    public void Dispose()
    {
        if (_helper is not null)
        {
            try
            {
                _helper.Kill(entireProcessTree: true);
                _helper.WaitForExit(5000);
            }
            catch (InvalidOperationException)
            {
                // exited already
            }
            _helper.Dispose();
        }
        // A cgroup can be removed once empty; the kernel empties it a moment after the kill.
        for (int attempt = 0; attempt < 50 && Directory.Exists(Path); attempt++)
        {
            try
            {
                Directory.Delete(Path);
            }
            catch (IOException)
            {
                Thread.Sleep(100);
            }
        }
    }
}
