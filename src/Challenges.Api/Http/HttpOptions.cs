namespace Challenges.Api.Http;

/// <summary>Limits on incoming requests (section <c>Http</c>).</summary>
public sealed class HttpOptions
{
    public const string Section = "Http";

    /// <summary>Largest request body accepted, in bytes (docs/contract.md §6: 64 KiB).</summary>
    public int MaxRequestBodyBytes { get; set; } = 64 * 1024;

    /// <summary>Proxies whose <c>X-Forwarded-For</c> is honoured when counting a caller's address.</summary>
    public IList<string> KnownProxies { get; } = [];
}
