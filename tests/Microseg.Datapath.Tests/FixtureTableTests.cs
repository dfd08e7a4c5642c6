using Microseg.Datapath.Abi;
using Microseg.Datapath.Fixtures;
using Microseg.Datapath.Loading;
using Microseg.TestSupport;

namespace Microseg.Datapath.Tests;

/// <summary>
/// Every fixture row through the real programs (BPF_PROG_TEST_RUN): the program's return
/// code, the one verdict counter the packet must move, the rule counter, the events it must
/// produce, and the events the rate limit must hold back.
/// </summary>
public sealed class FixtureTableTests(FixtureTableTests.SharedDatapath shared) : IClassFixture<FixtureTableTests.SharedDatapath>
{
    /// <summary>
    /// One load for every row (verifying both programs costs about half a second); each row
    /// resets it to a fresh load's state first.
    /// </summary>
    public sealed class SharedDatapath : IDisposable
    {
        private readonly Lazy<LoadedDatapath> _datapath =
            new(() => LoadedDatapath.Load(DatapathObjects.Options(FixtureCapacities.Small)));

        public LoadedDatapath Datapath => _datapath.Value;

        public void Dispose()
        {
            if (_datapath.IsValueCreated)
                _datapath.Value.Dispose();
        }
    }

    public static TheoryData<string> Rows => [.. FixtureTable.All.Select(f => f.Name)];

    [Fact]
    public void TableCoversAtLeastSixtyDistinctRows()
    {
        Assert.True(FixtureTable.All.Count >= 60, $"only {FixtureTable.All.Count} rows");
        Assert.Equal(FixtureTable.All.Count, FixtureTable.All.Select(f => f.Name).Distinct().Count());
    }

    [PrivilegedTheory]
    [MemberData(nameof(Rows))]
    public void Row(string name)
    {
        var fixture = FixtureTable.Named(name);
        var outcome = FixtureRunner.Run(fixture, shared.Datapath);

        Assert.Equal(fixture.Dropped, outcome.Dropped);

        var (counterKey, counted) = Assert.Single(outcome.VerdictCounterDeltas);
        Assert.Equal(
            (fixture.Packet.Direction, fixture.Verdict, fixture.Reason),
            (counterKey.Direction, counterKey.Verdict, counterKey.Reason));
        Assert.Equal(1UL, counted.Packets);
        Assert.Equal((ulong)fixture.Packet.Frame.Length, counted.Bytes);

        if (fixture.RuleId == 0)
        {
            Assert.Empty(outcome.RuleCounterDeltas);
        }
        else
        {
            var (rule, ruleCount) = Assert.Single(outcome.RuleCounterDeltas);
            Assert.Equal(fixture.RuleId, rule);
            Assert.Equal(1UL, ruleCount.Packets);
        }

        Assert.Equal(fixture.Events, outcome.Events.Select(e => e.Kind));
        foreach (var e in outcome.Events)
        {
            Assert.Equal(fixture.Verdict, e.Verdict);
            Assert.Equal(fixture.Reason, e.Reason);
            Assert.Equal(fixture.RuleId, e.RuleId);
        }
        Assert.Equal(fixture.RateLimitedEvents, outcome.RateLimitedEvents);
    }
}
