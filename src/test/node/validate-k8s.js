// Validates every object of a multi-document YAML file against the Kubernetes OpenAPI schemas
// of npm kubernetes-models (offline): prints one line per object, exits 1 when one is invalid.
// .ci/run installs kubernetes-models@4.5.1 and js-yaml@4 under .tools/node; ManifestsTest runs
// this with NODE_PATH pointing there.
const fs = require('fs');
const yaml = require('js-yaml');
const kinds = {
  'v1/ServiceAccount': () => require('kubernetes-models/v1').ServiceAccount,
  'v1/Service': () => require('kubernetes-models/v1').Service,
  'v1/ConfigMap': () => require('kubernetes-models/v1').ConfigMap,
  'apps/v1/Deployment': () => require('kubernetes-models/apps/v1').Deployment,
  'apps/v1/StatefulSet': () => require('kubernetes-models/apps/v1').StatefulSet,
  'rbac.authorization.k8s.io/v1/Role': () => require('kubernetes-models/rbac.authorization.k8s.io/v1').Role,
  'rbac.authorization.k8s.io/v1/RoleBinding': () => require('kubernetes-models/rbac.authorization.k8s.io/v1').RoleBinding,
  'networking.k8s.io/v1/NetworkPolicy': () => require('kubernetes-models/networking.k8s.io/v1').NetworkPolicy,
  'networking.k8s.io/v1/Ingress': () => require('kubernetes-models/networking.k8s.io/v1').Ingress,
  'policy/v1/PodDisruptionBudget': () => require('kubernetes-models/policy/v1').PodDisruptionBudget,
  'apiextensions.k8s.io/v1/CustomResourceDefinition': () => require('kubernetes-models/apiextensions.k8s.io/v1').CustomResourceDefinition,
};
let failed = false;
for (const doc of yaml.loadAll(fs.readFileSync(process.argv[2], 'utf8'))) {
  if (!doc || !doc.kind) continue;
  const key = `${doc.apiVersion}/${doc.kind}`;
  const model = kinds[key];
  if (!model) { console.log(`SKIP ${key} ${doc.metadata.name} (no schema here)`); continue; }
  try {
    new (model())(doc).validate();
    console.log(`OK ${key} ${doc.metadata.name}`);
  } catch (e) {
    failed = true;
    console.log(`INVALID ${key} ${doc.metadata.name}: ${e.message}`);
  }
}
process.exit(failed ? 1 : 0);
