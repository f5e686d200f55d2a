// A small horizontal bar chart in plain SVG: monthly recurring revenue per plan.
import { formatPrice } from "@/server/billing/plans";

type Row = { plan: string; name: string; subscribers: number; mrrCents: number };

const BAR_HEIGHT = 28;
const LABEL_WIDTH = 90;
const CHART_WIDTH = 560;

export function MrrChart({ rows }: { rows: Row[] }) {
  const largest = Math.max(1, ...rows.map((row) => row.mrrCents));
  const barSpace = CHART_WIDTH - LABEL_WIDTH - 150;
  return (
    <svg
      role="img"
      aria-label={`Monthly recurring revenue: ${rows.map((row) => `${row.name} ${formatPrice(row.mrrCents)}`).join(", ")}`}
      viewBox={`0 0 ${CHART_WIDTH} ${rows.length * (BAR_HEIGHT + 8)}`}
      className="w-full max-w-xl"
    >
      {rows.map((row, index) => {
        const y = index * (BAR_HEIGHT + 8);
        const width = Math.max(2, (row.mrrCents / largest) * barSpace);
        return (
          <g key={row.plan}>
            <text x={0} y={y + BAR_HEIGHT / 2 + 5} fontSize={14} fill="#1f2937">
              {row.name}
            </text>
            <rect x={LABEL_WIDTH} y={y} width={width} height={BAR_HEIGHT} rx={4} fill="#0f766e" />
            <text x={LABEL_WIDTH + width + 8} y={y + BAR_HEIGHT / 2 + 5} fontSize={13} fill="#6b7280">
              {formatPrice(row.mrrCents)} · {row.subscribers}
            </text>
          </g>
        );
      })}
    </svg>
  );
}
