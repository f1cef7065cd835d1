// SPDX-License-Identifier: GPL-2.0-or-later
//
// asn2routes.mjs: turn the range tables of the @ip-location-db/asn package
// into a route file for routebench.
//
//   node asn2routes.mjs [--expect-v4 N] [--expect-v6 N] -o OUT V4.csv V6.csv
//
// Input: the package's "-num" CSVs, one inclusive range per line:
//   first,last,as_number,as_organization
// with first and last as decimal integers (IPv6 ones exceed 64 bits); the
// organization may be quoted and is ignored.
//
// Every range becomes the smallest set of CIDR prefixes that covers it
// exactly. Each prefix becomes one line
//   PREFIX via GW metric 0 tag AS
// with the AS number as tag and a synthetic next hop derived from it:
// 192.0.2.(1 + AS % 254) for IPv4, 2001:db8::(1 + AS % 65535) for IPv6.
// Ranges may overlap: a prefix produced again is written again with the
// next metric (1, 2, ...), a backup route, so the file stays loadable (a
// table holds one route per prefix, protocol and metric) and there is one
// line per CIDR block. Counts go to stderr; with --expect-* a different
// count of blocks is an error (exit status 1).

import { closeSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';

function usage(status) {
	const text = 'usage: node asn2routes.mjs [--expect-v4 N] [--expect-v6 N] -o OUT V4.csv V6.csv\n';

	(status ? process.stderr : process.stdout).write(text);
	process.exit(status);
}

function fail(message) {
	process.stderr.write(`asn2routes: ${message}\n`);
	process.exit(1);
}

// The prefixes covering [first, last] exactly, as [address, length] pairs.
function* rangeToPrefixes(first, last, bits) {
	while (first <= last) {
		let k = 0n;

		// Grow the block while first stays aligned to it and it fits.
		while (k < bits && ((first >> k) & 1n) === 0n &&
		       first + (1n << (k + 1n)) - 1n <= last)
			k++;
		yield [first, Number(bits - k)];
		first += 1n << k;
	}
}

function v4Text(x) {
	const n = Number(x);

	return `${(n >>> 24) & 255}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
}

// RFC 5952 text: lower case, no leading zeros, the longest run of two or
// more zero groups (the first of equal runs) written as "::".
function v6Text(x) {
	const groups = [];
	let best = -1;
	let bestLen = 0;

	for (let i = 7; i >= 0; i--)
		groups.push(Number((x >> BigInt(16 * i)) & 0xffffn));
	for (let i = 0; i < 8;) {
		let j = i;

		if (groups[i] !== 0) {
			i++;
			continue;
		}
		while (j < 8 && groups[j] === 0)
			j++;
		if (j - i > bestLen) {
			best = i;
			bestLen = j - i;
		}
		i = j;
	}
	const hex = groups.map((g) => g.toString(16));

	if (bestLen < 2)
		return hex.join(':');
	return `${hex.slice(0, best).join(':')}::${hex.slice(best + bestLen).join(':')}`;
}

const families = {
	v4: {
		label: 'IPv4',
		bits: 32n,
		text: v4Text,
		gateway: (as) => `192.0.2.${1 + (as % 254)}`,
	},
	v6: {
		label: 'IPv6',
		bits: 128n,
		text: v6Text,
		gateway: (as) => `2001:db8::${(1 + (as % 65535)).toString(16)}`,
	},
};

function convert(path, fam, out) {
	const max = (1n << fam.bits) - 1n;
	const seen = new Map();
	const lines = readFileSync(path, 'utf8').split('\n');
	const stats = { ranges: 0, prefixes: 0, repeats: 0, overlaps: 0 };
	let chunk = [];
	let prevLast = -1n;

	for (let i = 0; i < lines.length; i++) {
		const line = lines[i].trim();

		if (line === '')
			continue;
		const [a, b, c] = line.split(',', 3);

		if (!/^\d+$/.test(a ?? '') || !/^\d+$/.test(b ?? '') || !/^\d+$/.test(c ?? ''))
			fail(`${path}:${i + 1}: expected "first,last,as,..." with decimal numbers`);
		const first = BigInt(a);
		const last = BigInt(b);
		const as = Number(c);

		if (first > last || last > max || as > 0xffffffff)
			fail(`${path}:${i + 1}: invalid range or AS number`);
		if (first <= prevLast)
			stats.overlaps++;
		if (last > prevLast)
			prevLast = last;
		stats.ranges++;
		for (const [addr, len] of rangeToPrefixes(first, last, fam.bits)) {
			const key = `${addr}/${len}`;
			const metric = seen.get(key) ?? 0;

			seen.set(key, metric + 1);
			if (metric)
				stats.repeats++;
			stats.prefixes++;
			chunk.push(`${fam.text(addr)}/${len} via ${fam.gateway(as)} metric ${metric} tag ${as}\n`);
			if (chunk.length >= 65536) {
				writeSync(out, chunk.join(''));
				chunk = [];
			}
		}
	}
	writeSync(out, chunk.join(''));
	return stats;
}

function main(argv) {
	const expect = {};
	const inputs = [];
	let output = null;

	for (let i = 0; i < argv.length; i++) {
		const arg = argv[i];

		if (arg === '--help' || arg === '-h') {
			usage(0);
		} else if (arg === '--expect-v4' || arg === '--expect-v6') {
			const v = argv[++i];

			if (!/^\d+$/.test(v ?? ''))
				usage(2);
			expect[arg.slice(-2)] = Number(v);
		} else if (arg === '-o') {
			output = argv[++i];
			if (!output)
				usage(2);
		} else if (arg.startsWith('-')) {
			usage(2);
		} else {
			inputs.push(arg);
		}
	}
	if (inputs.length !== 2 || !output)
		usage(2);

	// Write next to the target and rename: no half-written route file.
	const tmp = `${output}.tmp`;
	const out = openSync(tmp, 'w');
	let ok = true;

	for (const [name, path] of [['v4', inputs[0]], ['v6', inputs[1]]]) {
		const fam = families[name];
		const s = convert(path, fam, out);

		process.stderr.write(`asn2routes: ${fam.label}: ${s.ranges} ranges -> ${s.prefixes} prefixes` +
				     (s.overlaps ? `, ${s.overlaps} overlapping ranges` : '') +
				     (s.repeats ? `, ${s.repeats} of them repeated (written with metric > 0)` : '') +
				     '\n');
		if (expect[name] !== undefined && expect[name] !== s.prefixes) {
			process.stderr.write(`asn2routes: ${fam.label}: expected ${expect[name]} prefixes, got ${s.prefixes}\n`);
			ok = false;
		}
	}
	closeSync(out);
	if (!ok)
		process.exit(1);
	renameSync(tmp, output);
}

main(process.argv.slice(2));
