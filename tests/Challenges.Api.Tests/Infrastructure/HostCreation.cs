namespace Challenges.Api.Tests.Infrastructure;

/// <summary>
/// Test servers are built one at a time. WebApplicationFactory finds the app's host through a process-wide hosting
/// event; two factories building at once (tests run in parallel collections) can take each other's host.
/// </summary>
public static class HostCreation
{
    public static readonly Lock Lock = new();
}
