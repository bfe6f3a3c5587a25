package dev.convoy.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.gson.Gson;
import com.google.gson.JsonElement;
import dev.convoy.transcoder.TestClips;
import io.kubernetes.client.openapi.models.V1ConfigMap;
import io.kubernetes.client.openapi.models.V1PodDisruptionBudget;
import io.kubernetes.client.openapi.models.V1Service;
import io.kubernetes.client.openapi.models.V1ServiceAccount;
import io.kubernetes.client.openapi.models.V1StatefulSet;
import io.kubernetes.client.openapi.models.V2HorizontalPodAutoscaler;
import io.vertx.core.Vertx;
import io.vertx.ext.web.client.WebClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.Yaml;

/**
 * The manifests in {@code k8s/}, checked offline as a cluster would check them: each overlay
 * rendered as Kustomize renders it (resources, strategic-merge patches, images), every object
 * validated against the Kubernetes API's generated models with unknown fields refused, the
 * references between objects resolved, the pod held to the "restricted" profile, and every
 * metric the autoscaler names found on a live server.
 */
class KubernetesManifestsTest {

    private static final Path K8S = Path.of("../k8s");
    private static final List<String> RENDERED = List.of("base", "overlays/local", "overlays/aws");
    private static final String MONITORING = "monitoring";
    private static final Set<String> KUSTOMIZATION_FIELDS = Set.of("apiVersion", "kind", "resources", "patches", "images",
            "configMapGenerator");
    private static final Set<String> SEVERITIES = Set.of("critical", "warning", "info");
    /** Metric names in PromQL: Convoy's and the JVM's, which a live server serves, and kube-state-metrics' and cAdvisor's. */
    private static final Pattern METRIC = Pattern.compile("\\b((?:convoy|jvm|process|system|vertx|kube|container)_[a-z0-9_]+)\\b");
    /** Metrics a live server does not serve: the cluster's (kube-state-metrics, cAdvisor). */
    private static final List<String> CLUSTER_METRICS = List.of("kube_", "container_");
    /**
     * The lists a strategic merge patch merges item by item, by these keys (the Kubernetes API's
     * patch merge keys); every other list, {@code volumeClaimTemplates} among them, is replaced whole.
     */
    private static final Map<String, String> MERGE_KEYS = Map.of("containers", "name", "initContainers", "name",
            "env", "name", "volumes", "name", "volumeMounts", "mountPath", "ports", "containerPort");
    private static final Gson GSON = new Gson();

    @TempDir
    Path dataDir;

    @Test
    void everyObjectOfEveryOverlayIsValidWithNoUnknownField() throws Exception {
        for (String dir : List.of("base", "overlays/local", "overlays/aws", MONITORING)) {
            for (Map<String, Object> object : render(K8S.resolve(dir))) {
                validate(object);
                assertThat(labels(object)).as(dir + " " + kind(object) + " has the recommended labels")
                        .containsKeys("app.kubernetes.io/name", "app.kubernetes.io/component", "app.kubernetes.io/part-of");
            }
        }
        for (String dir : RENDERED) {
            List<Map<String, Object>> objects = render(K8S.resolve(dir));
            assertThat(objects).as(dir).extracting(KubernetesManifestsTest::kind)
                    .contains("StatefulSet", "Service", "ConfigMap", "PodDisruptionBudget", "HorizontalPodAutoscaler");
            for (Map<String, Object> object : objects) {
                validate(object);
            }
        }
    }

    @Test
    void aMisspelledFieldIsRefusedAtAnyDepth() throws Exception {
        Map<String, Object> statefulSet = find(render(K8S.resolve("base")), "StatefulSet", "convoy");
        spec(statefulSet).put("replica", 3);
        assertThatThrownBy(() -> validate(statefulSet)).hasMessageContaining("replica");

        Map<String, Object> again = find(render(K8S.resolve("base")), "StatefulSet", "convoy");
        container(again).put("imagePullPolicyy", "Always");
        assertThatThrownBy(() -> validate(again)).hasMessageContaining("imagePullPolicyy");
    }

    @Test
    void eachOverlayPatchesObjectsTheBaseHasAndSetsWhatItMeans() throws Exception {
        List<Map<String, Object>> local = render(K8S.resolve("overlays/local"));
        assertThat(spec(find(local, "StatefulSet", "convoy")).get("replicas")).as("the embedded store is one pod's").isEqualTo(1);
        assertThat(spec(find(local, "HorizontalPodAutoscaler", "convoy")).get("maxReplicas")).isEqualTo(1);
        List<Map<String, Object>> aws = render(K8S.resolve("overlays/aws"));
        Map<String, Object> awsSet = find(aws, "StatefulSet", "convoy");
        assertThat((Integer) spec(awsSet).get("replicas")).as("several pods, any taking any request").isGreaterThanOrEqualTo(3);
        assertThat((Integer) spec(find(aws, "HorizontalPodAutoscaler", "convoy")).get("minReplicas")).isGreaterThanOrEqualTo(3);
        Map<String, Object> nodeId = list(container(awsSet).get("env")).stream().map(KubernetesManifestsTest::map)
                .filter(e -> "CONVOY_NODE_ID".equals(e.get("name"))).findFirst().orElseThrow();
        assertThat(map(map(nodeId.get("valueFrom")).get("fieldRef")).get("fieldPath")).as("the pod's name is its node id")
                .isEqualTo("metadata.name");
        String headless = (String) spec(awsSet).get("serviceName");
        int httpPort = list(spec(find(aws, "Service", headless)).get("ports")).stream().map(KubernetesManifestsTest::map)
                .map(p -> (Integer) p.get("port")).findFirst().orElseThrow();
        assertThat(data(find(aws, "ConfigMap", "convoy")).get("CONVOY_PEERS")).as("peers are reached through the headless Service")
                .isEqualTo("http://{node}." + headless + ":" + httpPort);
        assertThat(container(find(local, "StatefulSet", "convoy")).get("image")).isEqualTo("convoy:dev");
        assertThat(data(find(local, "ConfigMap", "convoy"))).doesNotContainKey("CONVOY_S3_ENDPOINT");

        assertThat(data(find(aws, "ConfigMap", "convoy"))).containsEntry("CONVOY_S3_PATH_STYLE", "false")
                .containsKey("CONVOY_S3_ENDPOINT").containsEntry("CONVOY_MANAGEMENT_HOST", "0.0.0.0");
        assertThat(map(map(find(aws, "ServiceAccount", "convoy").get("metadata")).get("annotations")))
                .containsKey("eks.amazonaws.com/role-arn");
        Map<String, Object> resources = map(container(find(aws, "StatefulSet", "convoy")).get("resources"));
        assertThat(map(resources.get("limits")).get("memory")).isEqualTo("6Gi");
        assertThat(container(find(aws, "StatefulSet", "convoy")).get("image")).asString().endsWith("/convoy:0.1.0");
    }

    @Test
    void referencesBetweenObjectsResolve() throws Exception {
        for (String dir : RENDERED) {
            List<Map<String, Object>> objects = render(K8S.resolve(dir));
            Map<String, Object> statefulSet = find(objects, "StatefulSet", "convoy");
            Map<String, Object> podSpec = podSpec(statefulSet);
            Map<String, Object> podLabels = map(map(map(spec(statefulSet).get("template")).get("metadata")).get("labels"));
            assertThat(find(objects, "Service", (String) spec(statefulSet).get("serviceName")).get("spec"))
                    .as(dir + ": the StatefulSet's serviceName is headless").extracting(s -> map(s).get("clusterIP")).isEqualTo("None");
            find(objects, "ServiceAccount", (String) podSpec.get("serviceAccountName"));
            for (Object from : list(container(statefulSet).get("envFrom"))) {
                find(objects, "ConfigMap", (String) map(map(from).get("configMapRef")).get("name"));
            }
            assertThat(podLabels).containsAllEntriesOf(map(map(spec(statefulSet).get("selector")).get("matchLabels")));
            for (Map<String, Object> object : objects) {
                Object selector = kind(object).equals("Service") ? spec(object).get("selector")
                        : kind(object).equals("PodDisruptionBudget") ? map(spec(object).get("selector")).get("matchLabels") : null;
                if (selector != null) {
                    assertThat(podLabels).as(dir + " " + kind(object) + " selects the pods").containsAllEntriesOf(map(selector));
                }
            }
            Map<String, Object> target = map(spec(find(objects, "HorizontalPodAutoscaler", "convoy")).get("scaleTargetRef"));
            find(objects, (String) target.get("kind"), (String) target.get("name"));
            Set<String> ports = list(container(statefulSet).get("ports")).stream().map(p -> (String) map(p).get("name"))
                    .collect(Collectors.toSet());
            for (Map<String, Object> service : objects.stream().filter(o -> kind(o).equals("Service")).toList()) {
                for (Object port : list(spec(service).get("ports"))) {
                    assertThat(ports).as(dir + " Service port target").contains((String) map(port).get("targetPort"));
                }
            }
        }
    }

    @Test
    void theConfigMapSetsOnlyRealSettingsAndProbesReachTheManagementPort() throws Exception {
        Set<String> settings = ConvoyConfig.SETTINGS.stream().map(ConvoyConfig.Setting::env).collect(Collectors.toSet());
        for (String dir : RENDERED) {
            List<Map<String, Object>> objects = render(K8S.resolve(dir));
            Map<String, Object> config = data(find(objects, "ConfigMap", "convoy"));
            assertThat(settings).as(dir + ": every key is a setting of README's table").containsAll(config.keySet());
            // The settings the ConfigMap gives must be ones Convoy accepts, with the node id the pod's name gives.
            Map<String, String> env = config.entrySet().stream()
                    .collect(Collectors.toMap(Map.Entry::getKey, e -> String.valueOf(e.getValue())));
            env.put("CONVOY_NODE_ID", "convoy-0");
            ConvoyConfig parsed = ConvoyConfig.from(List.of(), env);
            assertThat(parsed.peers().urlOf("convoy-1")).as(dir + ": a peer's URL").hasHost("convoy-1.convoy-peers");
            assertThat(parsed.managementHost()).as("probes come from the kubelet, not loopback").isEqualTo("0.0.0.0");
            Map<String, Object> container = container(find(objects, "StatefulSet", "convoy"));
            int managementPort = list(container.get("ports")).stream().map(KubernetesManifestsTest::map)
                    .filter(p -> "management".equals(p.get("name"))).map(p -> (Integer) p.get("containerPort")).findFirst().orElseThrow();
            assertThat(managementPort).isEqualTo(parsed.managementPort());
            int httpPort = list(container.get("ports")).stream().map(KubernetesManifestsTest::map)
                    .filter(p -> "http".equals(p.get("name"))).map(p -> (Integer) p.get("containerPort")).findFirst().orElseThrow();
            assertThat(httpPort).isEqualTo(parsed.port());
            for (String probe : List.of("startupProbe", "readinessProbe", "livenessProbe")) {
                Map<String, Object> get = map(map(container.get(probe)).get("httpGet"));
                assertThat(get.get("port")).as(dir + " " + probe).isEqualTo("management");
                assertThat((String) get.get("path")).startsWith("/health/");
            }
            assertThat(list(container.get("volumeMounts")).stream().map(m -> map(m).get("mountPath")))
                    .as("the data dir is on the volume").contains(parsed.dataDir().toString());
        }
    }

    @Test
    void thePodMeetsThePodSecurityRestrictedProfile() throws Exception {
        for (String dir : RENDERED) {
            List<Map<String, Object>> objects = render(K8S.resolve(dir));
            Map<String, Object> statefulSet = find(objects, "StatefulSet", "convoy");
            Map<String, Object> config = data(find(objects, "ConfigMap", "convoy"));
            Map<String, Object> pod = map(podSpec(statefulSet).get("securityContext"));
            assertThat(pod.get("runAsNonRoot")).isEqualTo(true);
            assertThat(map(pod.get("seccompProfile")).get("type")).isEqualTo("RuntimeDefault");
            Map<String, Object> container = map(container(statefulSet).get("securityContext"));
            assertThat(container.get("allowPrivilegeEscalation")).isEqualTo(false);
            assertThat(container.get("readOnlyRootFilesystem")).isEqualTo(true);
            assertThat(list(map(container.get("capabilities")).get("drop"))).containsExactly("ALL");
            assertThat(list(podSpec(statefulSet).get("volumes")).stream().map(KubernetesManifestsTest::map)
                    .filter(v -> v.containsKey("emptyDir")).map(v -> v.get("name"))).as("a writable /tmp").contains("tmp");
            int drain = Integer.parseInt((String) config.get("CONVOY_DRAIN_GRACE"));
            String preStop = String.join(" ", list(map(map(map(container(statefulSet).get("lifecycle")).get("preStop")).get("exec"))
                    .get("command")).stream().map(String::valueOf).toList());
            int preStopWait = Integer.parseInt(preStop.replaceAll(".*sleep (\\d+).*", "$1"));
            // Cut-off uploads save their offsets, commits under way finish, then 60 s to park what is open or not yet
            // transcoded and 10 s to close.
            assertThat((Integer) podSpec(statefulSet).get("terminationGracePeriodSeconds"))
                    .as(dir + ": the grace covers the preStop wait, the drain, commits, parking and closing")
                    .isGreaterThanOrEqualTo(preStopWait + drain + (int) NodeDrain.CUT_OFF_SETTLE.toSeconds()
                            + (int) NodeDrain.COMMITS_FINISH.toSeconds() + 60 + 10);
            String jvm = list(container(statefulSet).get("env")).stream().map(KubernetesManifestsTest::map)
                    .filter(e -> "JAVA_TOOL_OPTIONS".equals(e.get("name"))).map(e -> (String) e.get("value")).findFirst().orElseThrow();
            int cores = Integer.parseInt(jvm.replaceAll(".*-XX:ActiveProcessorCount=(\\d+).*", "$1"));
            Object cpu = map(map(container(statefulSet).get("resources")).get("requests")).get("cpu");
            assertThat(cores).as(dir + ": the JVM counts the cores the pod asked for").isEqualTo(Integer.parseInt(String.valueOf(cpu)));
            assertThat(Integer.parseInt((String) config.get("CONVOY_TRANSCODE_WORKERS"))
                    * Integer.parseInt((String) config.get("CONVOY_TRANSCODE_THREADS")))
                    .as(dir + ": workers x codec threads fit the cores").isLessThanOrEqualTo(cores);
            assertThat(list(container(statefulSet).get("env")).stream().map(KubernetesManifestsTest::map)
                    .filter(e -> "CONVOY_JWT_SECRET".equals(e.get("name")))).as(dir + ": one signing secret for every pod")
                    .singleElement().extracting(e -> map(map(e.get("valueFrom")).get("secretKeyRef")).get("key")).isEqualTo("jwt-secret");
            assertThat(labels(map(list(spec(statefulSet).get("volumeClaimTemplates")).get(0))))
                    .as(dir + ": the volume claims keep their labels").containsKey("app.kubernetes.io/name");
            assertThat(map(map(container(statefulSet).get("lifecycle")).get("preStop"))).isNotEmpty();
            assertThat(list(container(statefulSet).get("env")).stream().map(e -> String.valueOf(map(e).get("value"))))
                    .as("the JVM sizes itself from the container's limit").anyMatch(v -> v.contains("-XX:MaxRAMPercentage="));
        }
        String dockerfile = Files.readString(Path.of("../Dockerfile"));
        assertThat(dockerfile).contains("eclipse-temurin:17-jre").contains("USER 10001:10001")
                .contains("COPY --from=build /src/ingest/target/convoy.jar");
    }

    @Test
    void everyAlertHasASeverityASummaryAndARunbookThatExists() throws Exception {
        String runbooks = Files.readString(K8S.resolve("runbooks.md"));
        Set<String> anchors = runbooks.lines().filter(l -> l.startsWith("## "))
                .map(l -> l.substring(3).strip().toLowerCase(Locale.ROOT)).collect(Collectors.toSet());
        List<Map<String, Object>> objects = render(K8S.resolve(MONITORING));
        List<Map<String, Object>> alerts = new ArrayList<>();
        for (Object group : list(spec(find(objects, "PrometheusRule", "convoy")).get("groups"))) {
            list(map(group).get("rules")).forEach(r -> alerts.add(map(r)));
        }
        assertThat(alerts).extracting(a -> a.get("alert")).contains("ConvoyNoPodReady", "ConvoyUploadErrorRatio",
                "ConvoyBacklogGrowing", "ConvoyIncidentWaiting", "ConvoySpoolDiskLow", "ConvoyStoreFailing", "ConvoyWorkerCrashLoop");
        for (Map<String, Object> alert : alerts) {
            assertThat(SEVERITIES).as(alert.get("alert") + " severity").contains((String) map(alert.get("labels")).get("severity"));
            Map<String, Object> annotations = map(alert.get("annotations"));
            assertThat(annotations).as(alert.get("alert") + "").containsKeys("summary", "description", "runbook_url");
            String url = (String) annotations.get("runbook_url");
            assertThat(url).contains("/blob/main/k8s/runbooks.md#");
            assertThat(anchors).as(url).contains(url.substring(url.indexOf('#') + 1));
        }
        Map<String, Object> dashboard = map(GSON.fromJson((String) data(find(objects, "ConfigMap", "convoy-grafana-dashboard"))
                .get("grafana-dashboard.json"), Map.class));
        assertThat(dashboard.get("uid")).isEqualTo("convoy-overview");
        assertThat(labels(find(objects, "ConfigMap", "convoy-grafana-dashboard"))).containsEntry("grafana_dashboard", "1");
        Map<String, Object> scrape = map(list(spec(find(objects, "PodMonitor", "convoy")).get("podMetricsEndpoints")).get(0));
        Map<String, Object> statefulSet = find(render(K8S.resolve("base")), "StatefulSet", "convoy");
        assertThat(list(container(statefulSet).get("ports")).stream().map(p -> map(p).get("name"))).contains(scrape.get("port"));
        assertThat(map(map(spec(find(objects, "PodMonitor", "convoy")).get("selector")).get("matchLabels")))
                .isEqualTo(map(map(spec(statefulSet).get("selector")).get("matchLabels")));
    }

    @Test
    void everyMetricTheDashboardAlertsAndAutoscalerNameIsServed() throws Exception {
        Set<String> named = new TreeSet<>(metricsIn(Files.readString(K8S.resolve(MONITORING).resolve("grafana-dashboard.json"))));
        for (Object group : list(spec(find(render(K8S.resolve(MONITORING)), "PrometheusRule", "convoy")).get("groups"))) {
            for (Object rule : list(map(group).get("rules"))) {
                named.addAll(metricsIn((String) map(rule).get("expr")));
            }
        }
        // The autoscaler's custom metric, and the adapter rule that serves it.
        for (String dir : List.of("base", "overlays/local", "overlays/aws", MONITORING)) {
            for (Map<String, Object> object : render(K8S.resolve(dir))) {
                if (kind(object).equals("HorizontalPodAutoscaler")) {
                    for (Object metric : list(spec(object).get("metrics"))) {
                        Map<String, Object> pods = map(map(metric).get("pods"));
                        if (!pods.isEmpty()) {
                            named.add((String) map(pods.get("metric")).get("name"));
                        }
                    }
                }
                if (kind(object).equals("ConfigMap") && data(object).containsKey("config.yaml")) {
                    named.addAll(metricsIn((String) data(object).get("config.yaml")));
                }
            }
        }
        assertThat(named).contains("convoy_time_to_ready_seconds_bucket", "convoy_transcode_queue_oldest_seconds",
                "convoy_upload_bytes_total", "kube_statefulset_status_replicas_ready", "convoy_transcode_queue_depth");
        Vertx vertx = Vertx.vertx();
        // A node with a name, as in a StatefulSet: the metrics of forwarding between nodes are served too.
        try (TestServer server = TestServer.start(dataDir, "--node-id", "convoy-0")) {
            WebClient web = WebClient.create(vertx);
            String device = server.deviceToken("olga", "cam-1");
            // Labelled series appear once something happened: a clip made ready, one that fails, a refused request.
            String ready = Clips.idOf(Clips.upload(TestClips.get(TestClips.Spec.small(320, 240, 2)), device,
                    server.baseUrl() + "/files/", Map.of("kind", "incident")));
            Path noise = dataDir.resolve("noise.mp4");
            Files.write(noise, new byte[4096]);
            String failed = Clips.idOf(Clips.upload(noise, device, server.baseUrl() + "/files/", Map.of("kind", "manual")));
            TestServer.await(web.headAbs(server.baseUrl() + "/files/" + "0".repeat(32)).putHeader("Tus-Resumable", "1.0.0")
                    .bearerTokenAuthentication(device).send());
            for (String id : List.of(ready, failed)) {
                String status = "processing";
                for (int i = 0; i < 600 && !status.equals("ready") && !status.equals("failed"); i++) {
                    Thread.sleep(100);
                    status = TestServer.await(web.getAbs(server.baseUrl() + "/api/clips/" + id).bearerTokenAuthentication(device)
                            .send()).bodyAsJsonObject().getString("status");
                }
            }
            String metrics = TestServer.await(web.getAbs(server.managementUrl() + "/metrics").send()).bodyAsString();
            Set<String> served = metrics.lines().filter(l -> !l.startsWith("#") && !l.isBlank())
                    .map(l -> l.split("[{ ]", 2)[0]).collect(Collectors.toSet());
            assertThat(named.stream().filter(n -> CLUSTER_METRICS.stream().noneMatch(n::startsWith)))
                    .as("served on /metrics").allMatch(served::contains);
        } finally {
            TestServer.await(vertx.close());
        }
    }

    /** The metric names in a PromQL expression (or any text holding some). */
    private static Set<String> metricsIn(String text) {
        Set<String> names = new TreeSet<>();
        Matcher m = METRIC.matcher(text);
        while (m.find()) {
            names.add(m.group(1));
        }
        return names;
    }

    // Rendering, as Kustomize does for the fields these manifests use.

    /** The objects a kustomization directory renders to. */
    static List<Map<String, Object>> render(Path dir) throws IOException {
        Map<String, Object> kustomization = map(new Yaml().load(Files.readString(dir.resolve("kustomization.yaml"))));
        assertThat(KUSTOMIZATION_FIELDS).as(dir + ": fields this test knows how to render").containsAll(kustomization.keySet());
        List<Map<String, Object>> objects = new ArrayList<>();
        for (Object entry : list(kustomization.get("resources"))) {
            Path resource = dir.resolve((String) entry).normalize();
            assertThat(resource).as(dir + " resource").exists();
            if (Files.isDirectory(resource)) {
                objects.addAll(render(resource));
            } else {
                objects.addAll(documents(resource));
            }
        }
        for (Object entry : list(kustomization.get("patches"))) {
            Path file = dir.resolve((String) map(entry).get("path"));
            assertThat(map(entry).keySet()).as("patches are files naming their target by kind and name").containsOnly("path");
            for (Map<String, Object> patch : documents(file)) {
                Map<String, Object> target = find(objects, kind(patch), name(patch));
                merge(target, patch);
            }
        }
        for (Object entry : list(kustomization.get("configMapGenerator"))) {
            Map<String, Object> generator = map(entry);
            Map<String, Object> options = map(generator.get("options"));
            assertThat(options.get("disableNameSuffixHash")).as("a name others can refer to").isEqualTo(true);
            Map<String, Object> data = new LinkedHashMap<>();
            for (Object file : list(generator.get("files"))) {
                data.put(Path.of((String) file).getFileName().toString(), Files.readString(dir.resolve((String) file)));
            }
            Map<String, Object> metadata = new LinkedHashMap<>();
            metadata.put("name", generator.get("name"));
            metadata.put("labels", options.get("labels"));
            Map<String, Object> configMap = new LinkedHashMap<>();
            configMap.put("apiVersion", "v1");
            configMap.put("kind", "ConfigMap");
            configMap.put("metadata", metadata);
            configMap.put("data", data);
            objects.add(configMap);
        }
        for (Object entry : list(kustomization.get("images"))) {
            Map<String, Object> image = map(entry);
            for (Map<String, Object> object : objects) {
                if (kind(object).equals("StatefulSet")) {
                    for (Object c : list(podSpec(object).get("containers"))) {
                        if (image.get("name").equals(map(c).get("image"))) {
                            map(c).put("image", image.get("newName") + ":" + image.get("newTag"));
                        }
                    }
                }
            }
        }
        return objects;
    }

    /** Strategic merge: maps merged key by key, lists of named objects merged by name, other values replaced. */
    @SuppressWarnings("unchecked")
    private static void merge(Map<String, Object> target, Map<String, Object> patch) {
        for (Map.Entry<String, Object> e : patch.entrySet()) {
            Object mine = target.get(e.getKey());
            String key = MERGE_KEYS.get(e.getKey());
            if (mine instanceof Map && e.getValue() instanceof Map) {
                merge((Map<String, Object>) mine, (Map<String, Object>) e.getValue());
            } else if (key != null && mine instanceof List<?> ours && e.getValue() instanceof List<?> theirs) {
                List<Object> merged = new ArrayList<>(ours);
                for (Object item : theirs) {
                    Map<String, Object> match = merged.stream().map(KubernetesManifestsTest::map)
                            .filter(o -> map(item).get(key).equals(o.get(key))).findFirst().orElse(null);
                    if (match == null) {
                        merged.add(item);
                    } else {
                        merge(match, map(item));
                    }
                }
                target.put(e.getKey(), merged);
            } else {
                target.put(e.getKey(), e.getValue());
            }
        }
    }

    private static List<Map<String, Object>> documents(Path file) throws IOException {
        List<Map<String, Object>> docs = new ArrayList<>();
        for (Object doc : new Yaml().loadAll(Files.readString(file))) {
            if (doc != null) {
                docs.add(new LinkedHashMap<>(map(doc)));
            }
        }
        return docs;
    }

    /** Validates one object against its API type's generated model; unknown fields anywhere are refused. */
    private static void validate(Map<String, Object> object) throws IOException {
        JsonElement json = GSON.toJsonTree(object);
        String type = object.get("apiVersion") + "/" + kind(object);
        switch (type) {
            case "v1/ServiceAccount" -> V1ServiceAccount.validateJsonElement(json);
            case "v1/ConfigMap" -> V1ConfigMap.validateJsonElement(json);
            case "v1/Service" -> V1Service.validateJsonElement(json);
            case "apps/v1/StatefulSet" -> V1StatefulSet.validateJsonElement(json);
            case "policy/v1/PodDisruptionBudget" -> V1PodDisruptionBudget.validateJsonElement(json);
            case "autoscaling/v2/HorizontalPodAutoscaler" -> V2HorizontalPodAutoscaler.validateJsonElement(json);
            // The Prometheus Operator's kinds are not in the API models: their fields are checked by name.
            case "monitoring.coreos.com/v1/PodMonitor" -> {
                assertThat(spec(object).keySet()).containsOnly("selector", "podMetricsEndpoints");
                for (Object endpoint : list(spec(object).get("podMetricsEndpoints"))) {
                    assertThat(map(endpoint).keySet()).isSubsetOf("port", "path", "interval", "scrapeTimeout");
                }
            }
            case "monitoring.coreos.com/v1/PrometheusRule" -> {
                assertThat(spec(object).keySet()).containsOnly("groups");
                for (Object group : list(spec(object).get("groups"))) {
                    assertThat(map(group).keySet()).containsOnly("name", "rules");
                    for (Object rule : list(map(group).get("rules"))) {
                        assertThat(map(rule).keySet()).containsOnly("alert", "expr", "for", "labels", "annotations");
                    }
                }
            }
            default -> throw new AssertionError("no schema to check " + type + " " + name(object) + " against");
        }
    }

    private static Map<String, Object> find(List<Map<String, Object>> objects, String kind, String name) {
        return objects.stream().filter(o -> kind.equals(kind(o)) && name.equals(name(o))).findFirst()
                .orElseThrow(() -> new AssertionError("no " + kind + " named " + name));
    }

    private static String kind(Map<String, Object> object) {
        return (String) object.get("kind");
    }

    private static String name(Map<String, Object> object) {
        return (String) map(object.get("metadata")).get("name");
    }

    private static Map<String, Object> labels(Map<String, Object> object) {
        return map(map(object.get("metadata")).get("labels"));
    }

    private static Map<String, Object> spec(Map<String, Object> object) {
        return map(object.get("spec"));
    }

    private static Map<String, Object> data(Map<String, Object> object) {
        return map(object.get("data"));
    }

    private static Map<String, Object> podSpec(Map<String, Object> statefulSet) {
        return map(map(spec(statefulSet).get("template")).get("spec"));
    }

    private static Map<String, Object> container(Map<String, Object> statefulSet) {
        return map(list(podSpec(statefulSet).get("containers")).get(0));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object value) {
        return value == null ? new LinkedHashMap<>() : (Map<String, Object>) value;
    }

    @SuppressWarnings("unchecked")
    private static List<Object> list(Object value) {
        return value == null ? List.of() : (List<Object>) value;
    }
}
