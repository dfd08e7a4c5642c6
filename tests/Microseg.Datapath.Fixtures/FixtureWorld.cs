namespace Microseg.Datapath.Fixtures;

/// <summary>
/// The addresses and identities every fixture row speaks of. Local endpoints: web (enforce),
/// batch (monitor), legacy (off). Remotes: api and db by host address, office by prefix,
/// everything else world.
/// </summary>
public static class FixtureWorld
{
    public const uint Web = 300, Api = 301, Db = 302, Office = 303, Batch = 305, Legacy = 306;

    public const string Web4 = "10.1.0.10", Web6 = "fd00:1::10";
    public const string Batch4 = "10.1.0.11", Batch6 = "fd00:1::11";
    public const string Legacy4 = "10.1.0.12";
    public const string UnknownLocal4 = "10.1.0.99";
    public const string Api4 = "10.1.0.20", Api6 = "fd00:1::20";
    public const string Db4 = "10.1.0.30", Db6 = "fd00:1::30";
    public const string OfficePrefix4 = "192.168.0.0/16", OfficePrefix6 = "fd00:99::/32";
    public const string Office4 = "192.168.7.7", Office6 = "fd00:99::7";
    public const string World4 = "203.0.113.9", World6 = "2001:db8::9";
    public const string Router4 = "198.51.100.1", Router6 = "2001:db8:ffff::1";

    public const byte Tcp = 6, Udp = 17, Icmp = 1, Icmpv6 = 58, Gre = 47;
}
