namespace Challenges.Api.Http;

/// <summary>
/// A dependency every request needs (the store) could not be reached or did not answer in time: the request answers
/// 503 with <c>Retry-After</c> and <see cref="PublicDescription"/>; the message, for the log, may name the dependency.
/// </summary>
public abstract class ServiceUnavailableException : Exception
{
    protected ServiceUnavailableException(string publicDescription, string message, Exception? inner = null) : base(message, inner) =>
        PublicDescription = publicDescription;

    /// <summary>What the caller is told.</summary>
    public string PublicDescription { get; }
}
