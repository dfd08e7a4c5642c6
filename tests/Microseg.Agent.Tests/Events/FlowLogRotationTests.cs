using Microseg.Agent.Events;
using Microseg.Datapath.Abi;
using Microseg.Flows.Records;
using Microseg.Policy.Model;

namespace Microseg.Agent.Tests.Events;

/// <summary>The flow log rotates by size between whole records, keeps N files, and a follower reads every record once across rotations.</summary>
public sealed class FlowLogRotationTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("flowlog-").FullName;

    private string LogPath => Path.Combine(_directory, "flows.jsonl");

    /// <summary>The n-th record: its number is its remote port (and bytes), so order and gaps show.</summary>
    private static FlowRecord Record(int n) => new()
    {
        Time = new DateTimeOffset(2026, 11, 21, 10, 0, 0, TimeSpan.Zero).AddMilliseconds(n),
        Kind = FlowEventKind.NewFlow,
        Direction = Direction.Ingress,
        Protocol = 6,
        LocalAddress = IpAddress16.Parse("10.0.1.10"),
        LocalPort = 443,
        PolicyPort = 443,
        RemoteAddress = IpAddress16.Parse("203.0.113.7"),
        RemotePort = (ushort)n,
        Bytes = (ulong)n,
        LocalIdentity = "web",
        RemoteIdentity = "world",
        Verdict = Verdict.Allow,
        Reason = VerdictReason.PolicyDefault,
        LocalUnit = "nginx.service",
    };

    private static List<int> Numbers(string path) =>
        File.ReadAllLines(path).Select(line => (int)FlowRecordJson.Parse(line).RemotePort).ToList();

    [Fact]
    public void Past_the_size_it_rotates_keeping_n_files_whole_records_none_lost_but_the_oldest()
    {
        const long maxBytes = 4096;
        int written;
        using (var writer = new FlowLogWriter(LogPath, maxBytes, keep: 3))
        {
            for (written = 1; written <= 200; written++)
            {
                writer.Write(Record(written));
                if (written % 7 == 0)
                    writer.Flush();
            }
            Assert.True(writer.Rotations > 10, $"{writer.Rotations} rotations");
        }

        string[] files = [FlowLogWriter.Rotated(LogPath, 3), FlowLogWriter.Rotated(LogPath, 2), FlowLogWriter.Rotated(LogPath, 1), LogPath];
        Assert.All(files, file => Assert.InRange(new FileInfo(file).Length, 1, maxBytes));
        Assert.False(File.Exists(FlowLogWriter.Rotated(LogPath, 4)));
        Assert.Equal(files.Order(), Directory.GetFiles(_directory).Order());
        // Oldest to newest, the files hold an unbroken run of records ending with the last one.
        List<int> kept = files.SelectMany(Numbers).ToList();
        Assert.Equal(Enumerable.Range(201 - kept.Count, kept.Count), kept);
        Assert.All(files, file => Assert.EndsWith("\n", File.ReadAllText(file)));
    }

    [Fact]
    public void A_log_opened_again_goes_on_counting_its_size_and_zero_keeps_no_old_file()
    {
        using (var writer = new FlowLogWriter(LogPath, maxBytes: 2048, keep: 0))
            writer.Write(Record(1));
        using (var writer = new FlowLogWriter(LogPath, maxBytes: 2048, keep: 0))
        {
            for (int n = 2; n <= 10; n++)
                writer.Write(Record(n));
            Assert.True(writer.Rotations >= 2);
        }

        Assert.Equal([LogPath], Directory.GetFiles(_directory));
        List<int> last = Numbers(LogPath);
        Assert.Equal(10, last[^1]);
        Assert.Equal(Enumerable.Range(11 - last.Count, last.Count), last);
    }

    [Fact]
    public void A_follower_reads_every_record_once_in_order_across_rotations()
    {
        using var follower = new FlowLogFollower(LogPath);
        Assert.Empty(follower.ReadLines()); // not written yet: waited for
        var seen = new List<int>();
        using (var writer = new FlowLogWriter(LogPath, maxBytes: 4096, keep: 2))
        {
            for (int n = 1; n <= 300; n++)
            {
                writer.Write(Record(n));
                if (n % 3 == 0)
                    writer.Flush();
                if (n % 5 == 0) // a few reads per rotation, as a follower polling often does
                    seen.AddRange(follower.ReadLines().Select(line => (int)FlowRecordJson.Parse(line).RemotePort));
            }
            writer.Flush();
            Assert.True(writer.Rotations > 20);
        }
        seen.AddRange(follower.ReadLines().Select(line => (int)FlowRecordJson.Parse(line).RemotePort));

        Assert.Equal(Enumerable.Range(1, 300), seen);
        Assert.True(follower.Reopened > 20);
    }

    [Fact]
    public void A_follower_holds_back_a_line_until_its_end_is_written()
    {
        string line = FlowRecordJson.ToLine(Record(7));
        using var follower = new FlowLogFollower(LogPath);
        File.WriteAllText(LogPath, line[..20]);
        Assert.Empty(follower.ReadLines());

        File.AppendAllText(LogPath, line[20..] + "\n" + line[..5]);
        Assert.Equal([line], follower.ReadLines());

        File.WriteAllText(LogPath, line + "\n"); // truncated and written again in place
        Assert.Equal([line], follower.ReadLines());
    }

    [Fact]
    public void A_follower_returns_a_line_longer_than_one_read_whole()
    {
        // 150,000 bytes: more than two of the follower's 64 KiB reads, so the line spans segments.
        string longLine = "# " + new string('x', 150_000);
        string line = FlowRecordJson.ToLine(Record(8));
        using var follower = new FlowLogFollower(LogPath);
        File.WriteAllText(LogPath, longLine[..100_000]);
        Assert.Empty(follower.ReadLines());

        File.AppendAllText(LogPath, longLine[100_000..] + "\n" + line + "\n");
        Assert.Equal([longLine, line], follower.ReadLines());
        Assert.Empty(follower.ReadLines());
    }

    [Fact]
    public async Task Microsegctl_flows_prints_records_with_their_unit_and_follows_a_rotating_log()
    {
        using (var writer = new FlowLogWriter(LogPath, maxBytes: 4096, keep: 1))
        {
            for (int n = 1; n <= 3; n++)
                writer.Write(Record(n));
        }
        var output = new StringWriter();
        var error = new StringWriter();

        Assert.Equal(0, Microseg.Cli.Program.Run(["flows", "--flows", LogPath, "--limit", "2"], output, error));
        string[] lines = output.ToString().TrimEnd('\n').Split('\n');
        Assert.Equal(2, lines.Length);
        Assert.Equal("2026-11-21T10:00:00.003Z new_flow allow web [nginx.service] 10.0.1.10:443 <- world 203.0.113.7:3 tcp/443 rule=default", lines[1]);
        Assert.Equal(2, Microseg.Cli.Program.Run(["flows", "--follow"], output, error));
        Assert.Contains("--follow reads a flow log", error.ToString());

        using var cancel = new CancellationTokenSource();
        var followed = new Followed();
        Task<int> follow = Microseg.Cli.FlowsCommand.Follow(LogPath, newest: 1, json: true, followed.Writer, error, cancel.Token);
        using (var writer = new FlowLogWriter(LogPath, maxBytes: 2048, keep: 1))
        {
            for (int n = 4; n <= 24; n++)
            {
                writer.Write(Record(n));
                writer.Flush();
                if (n % 3 == 0) // at most one rotation per burst; the follower catches up before the next
                    await Seen(followed, n);
            }
        }
        await Seen(followed, 24);
        await cancel.CancelAsync();
        Assert.Equal(0, await follow);

        List<int> numbers = followed.Text.TrimEnd('\n').Split('\n').Select(l => (int)FlowRecordJson.Parse(l).RemotePort).ToList();
        Assert.Equal(Enumerable.Range(3, 22), numbers);
    }

    /// <summary>Waits until the follower has printed record <paramref name="n"/>.</summary>
    private static async Task Seen(Followed followed, int n)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!followed.Text.Contains($"\"remotePort\":{n},", StringComparison.Ordinal) && DateTime.UtcNow < deadline)
            await Task.Delay(20);
    }

    /// <summary>What the follower prints: written on its task, read here under the lock its writes take.</summary>
    private sealed class Followed
    {
        private readonly StringWriter _text = new();

        public Followed() => Writer = TextWriter.Synchronized(_text);

        public TextWriter Writer { get; }

        public string Text
        {
            get
            {
                lock (Writer)
                    return _text.ToString();
            }
        }
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
