namespace Challenges.Api.Http;

/// <summary>Documents the contract's error body for the statuses an endpoint or a route group can answer with.</summary>
public static class ErrorMetadata
{
    public static TBuilder ProducesError<TBuilder>(this TBuilder builder, params int[] statuses) where TBuilder : IEndpointConventionBuilder
    {
        foreach (var status in statuses)
        {
            builder.WithMetadata(new ProducesResponseTypeMetadata(status, typeof(ErrorResponse), ["application/json"]));
        }
        return builder;
    }
}
