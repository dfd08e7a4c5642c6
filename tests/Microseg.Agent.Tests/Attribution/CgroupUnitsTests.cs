using Microseg.Agent.Attribution;

namespace Microseg.Agent.Tests.Attribution;

public sealed class CgroupUnitsTests
{
    [Theory]
    [InlineData("/system.slice/nginx.service", "nginx.service")]
    [InlineData("/system.slice/nginx.service/worker", "nginx.service")]
    [InlineData("/user.slice/user-1000.slice/user@1000.service/app.slice/app-firefox-1.scope", "app-firefox-1.scope")]
    [InlineData("/user.slice/user-1000.slice/session-3.scope", "session-3.scope")]
    [InlineData("/init.scope", "init.scope")]
    [InlineData("/", "(root cgroup)")]
    [InlineData("/kubepods/besteffort/pod1234", "/kubepods/besteffort/pod1234")]
    [InlineData("/system.slice", "/system.slice")]
    public void A_cgroup_is_named_by_its_innermost_service_or_scope_else_its_path(string path, string unit) =>
        Assert.Equal(unit, CgroupUnits.UnitName(path));

    [Fact]
    public void The_cgroup2_mount_is_found_on_unified_and_hybrid_hosts()
    {
        string[] hybrid =
        [
            "25 22 0:22 / /sys/fs/cgroup ro,nosuid,nodev,noexec shared:9 - tmpfs tmpfs ro,mode=755",
            "26 25 0:23 / /sys/fs/cgroup/unified rw,nosuid,nodev,noexec,relatime shared:10 - cgroup2 cgroup2 rw,nsdelegate",
            "27 25 0:24 / /sys/fs/cgroup/systemd rw,nosuid,nodev,noexec,relatime shared:11 - cgroup cgroup rw,xattr,name=systemd",
        ];
        Assert.Equal("/sys/fs/cgroup/unified", CgroupUnits.FindMountPoint(hybrid));
        Assert.Equal("/sys/fs/cgroup", CgroupUnits.FindMountPoint(["30 23 0:26 / /sys/fs/cgroup rw,nosuid shared:4 - cgroup2 cgroup2 rw"]));
        Assert.Equal("/mnt/my cgroups", CgroupUnits.FindMountPoint(["30 23 0:26 / /mnt/my\\040cgroups rw - cgroup2 none rw"]));
        Assert.Null(CgroupUnits.FindMountPoint(["27 25 0:24 / /sys/fs/cgroup/systemd rw - cgroup cgroup rw,name=systemd"]));
    }
}
