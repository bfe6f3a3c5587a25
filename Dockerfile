# The Convoy image: the service jar on a Java 17 runtime, run as an unprivileged user.
# Build: docker build -t convoy:dev .   (k8s/overlays/local uses that name and tag)

# x86-64 only: the jar carries FFmpeg's natives for linux-x86_64 (javacpp.platform in pom.xml).
FROM --platform=linux/amd64 eclipse-temurin:17-jdk AS build
WORKDIR /src
COPY . .
RUN ./mvnw -B -q -pl ingest -am package -DskipTests

FROM --platform=linux/amd64 eclipse-temurin:17-jre
# A fixed uid and gid, the ones k8s/base/statefulset.yaml runs as (runAsUser: 10001).
RUN groupadd --system --gid 10001 convoy \
    && useradd --system --uid 10001 --gid convoy --home-dir /var/lib/convoy --shell /usr/sbin/nologin convoy \
    && mkdir -p /var/lib/convoy \
    && chown convoy:convoy /var/lib/convoy
COPY --from=build /src/ingest/target/convoy.jar /opt/convoy/convoy.jar
USER 10001:10001
WORKDIR /var/lib/convoy
ENV CONVOY_DATA_DIR=/var/lib/convoy
# The API and tus endpoint; the management port (/metrics, /health) beside it.
EXPOSE 8080 8081
ENTRYPOINT ["java", "-jar", "/opt/convoy/convoy.jar"]
CMD ["serve"]
