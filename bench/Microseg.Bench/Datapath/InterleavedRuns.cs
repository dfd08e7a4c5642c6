using Microseg.Bpf;

namespace Microseg.Bench.Datapath;

/// <summary>
/// Measures a program against the empty baseline program in alternation, so that whatever
/// else the machine does at the time weighs on both alike: baseline, case, baseline, case...
/// Times are the kernel's own (BPF_PROG_TEST_RUN's duration), which exclude the syscall.
/// The first rounds warm caches, the JIT'd code and the maps' hot entries and are discarded.
/// </summary>
internal sealed class InterleavedRuns(BpfProgram baseline, BpfProgram program, BenchSettings settings)
{
    /// <summary>One measured round: case ns, baseline ns.</summary>
    public readonly record struct Round(double CaseNs, double BaselineNs)
    {
        public double Ratio => CaseNs / BaselineNs;
    }

    /// <summary>
    /// The same frame run <see cref="BenchSettings.Repeat"/> times in the kernel, per round:
    /// the kernel's average per run. For packets whose every repetition takes the same path
    /// (a tracked flow's next packet, a denied packet).
    /// </summary>
    public List<Round> Repeated(byte[] frame, uint expectedReturn)
    {
        var rounds = new List<Round>(settings.Rounds);
        for (var r = 0; r < settings.WarmupRounds + settings.Rounds; r++)
        {
            var b = baseline.TestRun(frame, [], settings.Repeat);
            var c = program.TestRun(frame, [], settings.Repeat);
            Expect(c.ReturnValue, expectedReturn);
            if (r >= settings.WarmupRounds)
                rounds.Add(new Round(c.DurationNs, b.DurationNs));
        }
        return rounds;
    }

    /// <summary>
    /// Each frame run once (repeat = 1), alternating with the baseline run once on the same
    /// frame; per round, the median of the kernel-reported per-call durations. For packets
    /// that change the state they are judged against (a new flow: its second run would be
    /// established), so each must be a different packet. A repeat-1 duration carries the
    /// test-run timer's fixed cost (a clock read, bottom halves off and on) that a long
    /// repeat spreads thin; the baseline measured the same way carries it too.
    /// </summary>
    /// <param name="frames">At least (warm-up + measured rounds) × flows per round distinct frames.</param>
    /// <param name="expectedReturn">The XDP action the fixture row expects of every frame.</param>
    /// <param name="afterRound">Called between rounds, outside the timing (drains events).</param>
    public List<Round> PerCall(IReadOnlyList<byte[]> frames, uint expectedReturn, Action afterRound)
    {
        var perRound = settings.FlowsPerRound;
        if (frames.Count < (settings.WarmupRounds + settings.Rounds) * perRound)
            throw new ArgumentException($"{frames.Count} frames are too few for the rounds", nameof(frames));
        var caseNs = new uint[perRound];
        var baselineNs = new uint[perRound];
        var rounds = new List<Round>(settings.Rounds);
        for (var r = 0; r < settings.WarmupRounds + settings.Rounds; r++)
        {
            for (var i = 0; i < perRound; i++)
            {
                var frame = frames[r * perRound + i];
                baselineNs[i] = baseline.TestRun(frame, [], 1).DurationNs;
                var c = program.TestRun(frame, [], 1);
                Expect(c.ReturnValue, expectedReturn);
                caseNs[i] = c.DurationNs;
            }
            afterRound();
            if (r >= settings.WarmupRounds)
                rounds.Add(new Round(Spread.MedianInPlace(caseNs), Spread.MedianInPlace(baselineNs)));
        }
        return rounds;
    }

    private void Expect(uint actual, uint expected)
    {
        if (actual != expected)
            throw new InvalidOperationException($"{program.Name} returned {actual} where the fixture row expects {expected}");
    }
}
