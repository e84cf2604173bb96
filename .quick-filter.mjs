import { build } from 'esbuild';
const root='/work/main';
await build({ stdin:{contents:"export { convolveResponse, applyFilter, sourcePlanes } from './renderer/worker/compute/convolve'; export { presetOptions } from './renderer/worker/compute/kernels'; export { initNodeBackend } from './electron/cli/node-backend'; export * as tf from '@tensorflow/tfjs';", resolveDir:root, loader:'ts'}, bundle:true, platform:'node', format:'esm', packages:'external', outfile: root+'/dist/bench/quick.mjs', logLevel:'warning'});
const eng = await import(root+'/dist/bench/quick.mjs');
await eng.initNodeBackend(process.argv[2]||'wasm');
const W=4000,H=3000; const data=new Uint8ClampedArray(W*H*4); for(let i=0;i<data.length;i++) data[i]=(i*2654435761>>>24)&255;
const img={width:W,height:H,data};
for (const [name,o] of [['3x3',eng.presetOptions('edges-horizontal')],['g7',eng.presetOptions('gaussian',{sigma:1.2,size:7})],['d15',{kernel:{matrix:Array.from({length:15},(_,i)=>Array.from({length:15},(_,j)=>Math.sin(i*7+j*3)))},combine:'none'}]]) {
  let t0=performance.now(); const pl = eng.sourcePlanes(img,'luma'); const tl=performance.now()-t0;
  const ts=[]; for(let r=0;r<3;r++){ t0=performance.now(); await eng.convolveResponse(img,o); ts.push(performance.now()-t0);} 
  t0=performance.now(); await eng.applyFilter(img,o); const ta=performance.now()-t0;
  console.log(JSON.stringify(globalThis.__T)); globalThis.__T={}; console.log(name,'luma',tl.toFixed(0),'resp',ts.map(x=>x.toFixed(0)).join(' '),'apply',ta.toFixed(0), eng.tf.memory().numTensors);
}
