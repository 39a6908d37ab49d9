// Package budget computes what a site's namespace needs at its maximum
// scale: the requests.cpu, requests.memory, limits.memory, pods,
// persistentvolumeclaims and requests.storage a ResourceQuota must allow
// for every pod and claim of the rendered output to be admitted, at the
// autoscalers' maximum and in the middle of a rollout.
//
// It is the one implementation of that count. The generator sizes the
// ResourceQuota it renders with it (generator/quota.go, on its typed
// objects converted to maps), and the policy rule resource-quota judges
// the final output with it (policy/budget.go, after the user's patches),
// so the quota discoursegen writes and the rule that checks it cannot
// disagree on what a pod costs.
//
// Compute reads objects as JSON decodes them (map[string]any): the kinds
// Kubernetes defines and the CRDs whose pods the namespace runs
// (CloudNativePG Cluster and Pooler, with the Barman Cloud plugin's
// ObjectStore; autoscaling/v2 HorizontalPodAutoscaler and KEDA
// ScaledObject for the pod counts). It counts as the API server does:
// the API's own defaulting (a request defaults to the limit), then the
// namespace's LimitRange defaults, then the pod's effective request (the
// larger of the containers' sum and each init container, sidecars
// added), as the ResourceQuota admission plugin charges it. WithHeadroom
// turns a need into readable quota amounts.
package budget
