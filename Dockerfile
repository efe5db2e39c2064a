# syntax=docker/dockerfile:1
# Multi-stage build: the SDK image restores and publishes; the runtime image runs as a non-root user on port 8080.
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /source
COPY global.json Directory.Build.props Directory.Packages.props .editorconfig Challenges.sln ./
COPY src/Challenges.Api/Challenges.Api.csproj src/Challenges.Api/
RUN dotnet restore src/Challenges.Api/Challenges.Api.csproj
COPY src/Challenges.Api/ src/Challenges.Api/
RUN dotnet publish src/Challenges.Api/Challenges.Api.csproj -c Release -o /app --no-restore /p:UseAppHost=false

FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS runtime
WORKDIR /app
COPY --from=build /app ./
# The aspnet images ship a non-root "app" user (UID 1654).
USER app
ENV ASPNETCORE_URLS=http://+:8080 \
    ASPNETCORE_ENVIRONMENT=Production \
    DOTNET_gcServer=1
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s --start-period=10s --retries=3 \
  CMD ["dotnet", "Challenges.Api.dll", "--healthcheck"]
ENTRYPOINT ["dotnet", "Challenges.Api.dll"]
