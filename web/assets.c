/*
 * The console's only static files, kept in the program: a small style sheet
 * (one column on a phone, wider on a PC) and the script that keeps the home
 * page live by polling /api/state. Nothing is loaded from outside.
 */
#include <string.h>

#include "web/internal.h"

static const char style_css[] =
    ":root{--b:#0b5394;--bg:#f5f6f8;--err:#b00020;--ok:#1b7f3b}\n"
    "*{box-sizing:border-box}\n"
    "body{margin:0;font:16px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,"
    "Arial,sans-serif;background:var(--bg);color:#1d1d1f}\n"
    "header{background:var(--b);color:#fff}\n"
    ".top{display:flex;flex-wrap:wrap;justify-content:space-between;"
    "align-items:center;gap:.3em;padding:.5em .8em}\n"
    ".station{font-weight:600}\n"
    ".who{margin:0;font-size:.9em}\n"
    ".who button{background:transparent;color:#fff;border:1px solid #fff;"
    "padding:.2em .6em;min-height:0}\n"
    "nav{display:flex;flex-wrap:wrap;background:#084079}\n"
    "nav a{color:#fff;text-decoration:none;padding:.6em .7em;white-space:nowrap}\n"
    "nav a.on{background:var(--bg);color:var(--b);font-weight:600}\n"
    "main{padding:.8em;max-width:1100px;margin:0 auto}\n"
    "h1{font-size:1.35em;margin:.2em 0 .6em}\n"
    "h2{font-size:1.1em;margin:1em 0 .4em}\n"    ".card>h2:first-child{margin-top:0}\n"
    ".card{background:#fff;border-radius:8px;padding:.8em;margin:0 0 .8em;"
    "box-shadow:0 1px 2px rgba(0,0,0,.12)}\n"
    ".grid{display:grid;gap:.8em;grid-template-columns:repeat(auto-fit,"
    "minmax(260px,1fr))}\n"
    ".bar{height:12px;background:#dde3ea;border-radius:6px;overflow:hidden}\n"
    ".bar span{display:block;height:100%;width:0;background:var(--b)}\n"
    ".big{font-size:1.2em;font-weight:600}\n"
    ".muted{color:#666;font-size:.9em}\n"
    ".err{color:var(--err);font-weight:600}\n"
    ".ok{color:var(--ok);font-weight:600}\n"
    ".warn{background:#fff4e5;border-left:4px solid #e69500;padding:.5em .8em}\n"
    "table{border-collapse:collapse;width:100%;background:#fff}\n"
    "th,td{border-bottom:1px solid #e3e6ea;padding:.4em;text-align:left;"
    "vertical-align:top}\n"
    ".scroll{overflow-x:auto;margin-bottom:.8em}\n"    ".hash{word-break:break-all;font-family:monospace;font-size:.9em}\n"
    "form.inline{display:inline}\n"
    "label{display:block;margin:.4em 0}\n"
    "input,select,button,textarea{font:inherit;max-width:100%}\n"
    "input[type=text],input[type=password],input[type=date],input[type=number],"
    "input:not([type]),select,textarea{width:100%;padding:.45em;border:1px solid "
    "#b8c0c8;border-radius:6px;background:#fff}\n"
    "button{background:var(--b);color:#fff;border:0;border-radius:6px;"
    "padding:.55em 1em;min-height:44px;cursor:pointer;margin:.2em 0}\n"
    "button.danger{background:var(--err)}\n"
    "button.plain{background:#5f6b76}\n"
    ".filters{display:grid;gap:.5em;grid-template-columns:repeat(auto-fit,"
    "minmax(140px,1fr));align-items:end}\n"
    ".st-pending{color:#a15c00}.st-approved{color:var(--ok)}"
    ".st-rejected,.st-retired{color:#777}\n"
    ".login{max-width:380px;margin:10vh auto}\n"
    "audio{width:100%}\n"
    "summary{cursor:pointer;font-weight:600;font-size:1.1em;color:var(--b);"
    "padding:.5em 0}\n"
    "details[open] summary{margin-bottom:.4em}\n"
    "iframe{width:100%;height:70vh;border:1px solid #ccd;background:#fff}\n"
    ".day{min-width:120px}\n"
    ".slot{background:#e8f0fa;border-radius:4px;padding:.2em .3em;margin:.15em 0;"
    "font-size:.9em}\n"
    ".slot.missed{background:#fdecea}\n"
    "footer{color:#888;font-size:.8em;text-align:center;padding:1em}\n"
    "@media (max-width:600px){th.opt,td.opt{display:none}}\n";

static const char app_js[] =
    "'use strict';\n"
    "(function(){\n"
    "var home=document.getElementById('onair-title');\n"
    "if(!home)return;\n"
    "function $(id){return document.getElementById(id);}\n"
    "function txt(id,s){$(id).textContent=s;}\n"
    "function when(t){var m=/^(\\d{4})-(\\d\\d)-(\\d\\d)T(\\d\\d):(\\d\\d)/.exec(t||'');"
    "return m?m[3]+'/'+m[2]+'/'+m[1]+' '+m[4]+':'+m[5]:String(t);}\n"
    "function val(v){return typeof v==='string'||typeof v==='number'?String(v):"
    "JSON.stringify(v);}\n"
    "function uplink(text){\n"
    " var row=$('uplink-row'),l=null;\n"
    " row.hidden=text===null||text===undefined;if(row.hidden)return;\n"
    " try{l=JSON.parse(text);}catch(e){}\n"
    " if(!l||typeof l!=='object'){txt('uplink','không đọc được trạng thái');"
    "$('uplink').className='err';txt('uplink-detail','');return;}\n"
    " txt('uplink',l.connected?'trực tuyến':'mất kết nối');"
    "$('uplink').className=l.connected?'ok':'err';\n"
    " var d=[];if(l.since)d.push('từ '+when(l.since));\n"
    " if(l.broker)d.push('máy chủ '+val(l.broker));\n"
    " if(typeof l.queued==='number')d.push(l.queued+' tin chờ gửi');\n"
    " if(l.last_package)d.push('gói bản tin gần nhất: '+val(l.last_package));\n"
    " if(l.last_command)d.push('lệnh gần nhất: '+val(l.last_command));\n"
    " txt('uplink-detail',d.join(' · '));\n"
    "}\n"
    "function show(s){\n"
    " var d=s.daemon;\n"
    " uplink(s.link);\n"
    " txt('link',s.online?'trực tuyến':'mất kết nối');\n"
    " $('link').className=s.online?'ok':'err';\n"
    " if(!d){txt('onair-title','(không rõ: bộ phát không trả lời)');"
    "txt('onair-slot','');$('onair-bar').style.width='0';txt('device','-');"
    "txt('last-error',s.error||'');$('next-list').textContent='';"
    "txt('next-slot','-');return;}\n"
    " var a=d.on_air;\n"
    " if(a){txt('onair-title',a.title||'');"
    "txt('onair-slot',(a.slot||'phát ngay')+' · '+"
    "({normal:'thường',priority:'ưu tiên',emergency:'khẩn cấp'}[a.priority]||a.priority));"
    "var t=a.elapsed_ms+a.remaining_ms;"
    "$('onair-bar').style.width=(t>0?Math.min(100,100*a.elapsed_ms/t):0)+'%';"
    "txt('onair-time',Math.round(a.elapsed_ms/1000)+' / '+Math.round(t/1000)+' giây');}\n"
    " else{txt('onair-title',d.starting?('Sắp phát: '+d.starting.title):"
    "'Không phát');txt('onair-slot','');txt('onair-time','');"
    "$('onair-bar').style.width='0';}\n"
    " var ul=$('next-list');ul.textContent='';\n"
    " (d.next||[]).forEach(function(n){var li=document.createElement('li');"
    "li.textContent=n.title;ul.appendChild(li);});\n"
    " txt('next-slot',d.next_slot?(d.next_slot.slot+' — '+"
    "d.next_slot.start.replace('T',' ').substring(0,16)):'không có');\n"
    " txt('device',d.device==='ok'?'hoạt động tốt':'lỗi');\n"
    " $('device').className=d.device==='ok'?'ok':'err';\n"
    " txt('last-error',d.last_error||'không có');\n"
    "}\n"
    "function poll(){\n"
    " var x=new XMLHttpRequest();x.open('GET','/api/state');\n"
    " x.onload=function(){if(x.status===200){try{show(JSON.parse(x.responseText));}"
    "catch(e){}}else if(x.status===401){location.href='/login';}"
    "setTimeout(poll,1000);};\n"
    " x.onerror=function(){txt('link','mất kết nối');setTimeout(poll,3000);};\n"
    " x.send();\n"
    "}\n"
    "poll();\n"
    "})();\n";

void
web_static(struct web *w, struct MHD_Connection *c, struct web_req *r,
    const char *rest, struct web_page *p)
{
	(void)w;
	(void)c;
	(void)r;
	if (strcmp(rest, "style.css") == 0) {
		p->type = "text/css; charset=utf-8";
		fwrite(style_css, 1, sizeof style_css - 1, p->f);
	} else if (strcmp(rest, "app.js") == 0) {
		p->type = "text/javascript; charset=utf-8";
		fwrite(app_js, 1, sizeof app_js - 1, p->f);
	} else
		web_text(p, MHD_HTTP_NOT_FOUND, "no such file");
}
